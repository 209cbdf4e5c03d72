"""The county intake API: enrollment, accounts, sync endpoints, catalog, reports."""
