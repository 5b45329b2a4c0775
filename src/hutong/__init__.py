"""Hutong (互通): the education data platform of M2018 and N2021."""

__version__ = "0.1.0"
