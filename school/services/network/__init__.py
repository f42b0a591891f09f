"""The network of Cités des métiers: the directory of Cités and the countries they are in."""
