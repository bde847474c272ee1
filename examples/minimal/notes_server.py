"""A small notes server: the shape of an MCP server worth copying.

* Constraints live in the argument types (``Annotated`` + pydantic ``Field``); the SDK turns them
  into each tool's ``inputSchema`` and refuses bad arguments before the tool runs.
* A tool that cannot do its job raises ``ToolError``: the client gets an ``isError`` result
  whose text says what went wrong.
* Return types are declared, so every tool also publishes an ``outputSchema``.

Run it: ``python notes_server.py`` (stdio) or ``python notes_server.py --port 8000``
(Streamable HTTP at http://127.0.0.1:8000/mcp).
"""

from __future__ import annotations

import sys
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

Title = Annotated[str, Field(min_length=1, max_length=80, description="A short, non-empty title.")]
Body = Annotated[str, Field(max_length=2000, description="The text of the note.")]
NoteId = Annotated[int, Field(ge=1, description="The id add_note returned.")]
Limit = Annotated[int, Field(ge=1, le=50, description="How many notes to return at most.")]


class Note(BaseModel):
    id: int
    title: str
    body: str


class Notes(BaseModel):
    notes: list[Note]


def create_server() -> MCPServer:
    """A new server with an empty notebook: each test can have its own."""
    mcp = MCPServer("notes", version="1.0.0", instructions="Keeps short notes; search them by word.")
    notes: dict[int, Note] = {}

    @mcp.tool()
    def add_note(title: Title, body: Body = "") -> Note:
        """Store a note and return it with its new id."""
        note = Note(id=max(notes, default=0) + 1, title=title, body=body)
        notes[note.id] = note
        return note

    @mcp.tool()
    def search_notes(word: Annotated[str, Field(min_length=1)], limit: Limit = 10) -> Notes:
        """The notes whose title or body contains ``word`` (case-insensitive), oldest first."""
        found = [note for note in notes.values() if word.casefold() in f"{note.title} {note.body}".casefold()]
        return Notes(notes=found[:limit])

    @mcp.tool()
    def delete_note(note_id: NoteId) -> Note:
        """Delete a note and return what it held."""
        if note_id not in notes:
            raise ToolError(f"no note with id {note_id}: call search_notes to find the ids that exist")
        return notes.pop(note_id)

    @mcp.resource("notes://{note_id}", mime_type="application/json")
    def read_note(note_id: str) -> str:
        """One note as JSON."""
        note = notes.get(int(note_id)) if note_id.isdigit() else None
        if note is None:
            raise ValueError(f"no note with id {note_id}")
        return note.model_dump_json()

    @mcp.prompt()
    def summarize(word: str) -> str:
        """Ask the model to summarize the notes that mention ``word``."""
        return f"Call search_notes with word={word!r}, then summarize the notes it returns in three bullet points."

    return mcp


if __name__ == "__main__":
    server = create_server()
    if "--port" in sys.argv:
        server.run("streamable-http", port=int(sys.argv[sys.argv.index("--port") + 1]))
    else:
        server.run()
