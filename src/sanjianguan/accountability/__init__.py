"""责任追究: the accountability ladder (art. 16-25, 33-35 of the Sichuan measures)."""
