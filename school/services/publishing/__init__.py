"""What others' software reads: calendar feeds (iCalendar), the frab schedule for conference
apps, and the speakers' printable schedule."""
