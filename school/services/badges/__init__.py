"""Badges: the signed token (tokens), its QR code (qr), which badges to print (printing)
and how they are drawn (pdf)."""
