"""Supervision and compliance (M2018 §5–6, §37–41; N2021 tasks 2, 9, 13, 15): the registry of
information systems, rules that cite their article, findings, rectification notices and risk
assessments."""
