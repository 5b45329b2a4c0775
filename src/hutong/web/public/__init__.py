"""Pages and machine interfaces for the public, with no sign-in: the open-data portal,
disclosure on request, personal-information rights, CKAN's Action API and DCAT."""
