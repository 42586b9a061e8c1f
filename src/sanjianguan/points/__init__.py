"""不良执业行为记分: penalty points for staff and institutions (seed 001)."""
