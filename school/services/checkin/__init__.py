"""The door and the rooms: what a scanned badge is worth (scanning), the scanners' roster,
attendance and its sheets, certificates of attendance."""
