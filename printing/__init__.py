"""Paper: receipts, notices, authorisation letters and ledgers as PDF, and printing them.

Public API:

- ``printing.model``: the frozen dataclasses each document is printed from
  (``CaseDocument``, ``DecisionDocument``, ``LedgerRow``/``LedgerDocument``,
  ``Party``, ``MaterialLine``) and ``from_dict``/``to_dict`` for JSON.
- ``printing.documents``: ``render_receipt``, ``render_notice``,
  ``render_authorization``, ``render_ledger``, ``render_acceptance``,
  ``render_rejection``, ``render_correction`` → ``RenderedDocument(pdf, warnings)``.
- ``printing.printer``: ``keep_pdf``, ``print_pdf`` → ``PrintResult(ok, message, path)``.
- ``printing.jobs.produce``: render, keep under ``<data_dir>/documents/`` and print.
- ``printing.names``: each paper's Chinese title and the name its PDF is kept under
  (``受理通知书-<案号>.pdf``), never over a paper kept before.
- ``printing.fonts.find_cjk_font``; ``printing.sample.sample_case`` for the demo.

This package never imports the station, the centre or the command line.
"""
