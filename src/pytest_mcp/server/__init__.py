"""The server side: what to test (``targets``), starting, pooling and stopping it (``running``), child
processes and their reaper, one stdio process shared by many clients, and the in-process ASGI bridge."""
