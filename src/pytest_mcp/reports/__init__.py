"""What MCP tests add to pytest's reports: JUnit XML properties (``junit``) and pytest-html extras
(``html``: transcripts and the surface coverage table). Hooks in ``plugin``."""
