"""Entry point frozen by PyInstaller into the station executable.

``freeze_support()`` first: ``central serve --workers 2`` starts its workers with
multiprocessing, which re-runs this program with its own arguments; without it
every worker would start the command line again and spawn workers forever.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from daiban.cli import main

    main()
