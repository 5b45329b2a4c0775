"""The JSON API (/api/v1): one module per domain, answering problem+json on every refusal."""
