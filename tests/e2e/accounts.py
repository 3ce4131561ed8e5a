"""Signing in as a demo user in a browser journey (the accounts `seed_demo` creates)."""

from __future__ import annotations

from portal.demo import DEMO_PASSWORD


def sign_in(page, email: str) -> None:
    """Sign in through the allauth form and wait for the account page it lands on."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/**")
