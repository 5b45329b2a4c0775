"""Monitoring and early warning (监测预警, N2021 task 14): detection rules over the audit
stream and the alerts they raise. Incidents, bulletins and channels come in later modules."""
