"""What the tests share: builders of data, real servers, the browser, readers of PDFs and
calendars, people using the pages. Test modules import from here, never from each other."""
