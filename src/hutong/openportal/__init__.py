"""The open data platform (公开平台, M2018 §24–26, §34): release gate, public portal, CKAN
Action API, DCAT-AP export and disclosure on request (依申请公开)."""
