"""The Settings screen has a field for each config.toml key it claims to change."""

from __future__ import annotations

from storycircle.screens.settings import SETTINGS_FIELDS, SettingsScreen
from storycircle.session.session import Session
from storycircle.tui.app import StorycircleApp
from tests.ui.helpers import SIZE


async def test_each_settings_key_has_its_field(app: StorycircleApp, session: Session) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(SettingsScreen(session))
        await pilot.pause()
        for key, selector in SETTINGS_FIELDS.items():
            assert app.screen.query(selector), key
