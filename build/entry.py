"""Entry point frozen by PyInstaller into the station executable."""

from daiban.cli import main

if __name__ == "__main__":
    main()
