"""Paper: receipts, notices, authorisation letters and ledgers as PDF, and printing them."""
