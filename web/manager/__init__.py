"""The hiring team's pages: ``routes`` holds the blueprint; ``hires`` adds a new hire's page
to it (imported here so the pages are registered whichever module is imported first)."""

from web.manager import hires as hires
