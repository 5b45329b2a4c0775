"""Personal-information protection: de-identification operators and mask specifications
(issue 8 adds notices, consent, privacy models and statistical release)."""
