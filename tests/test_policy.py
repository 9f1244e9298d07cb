import datetime as dt

import pytest

from visitplan import InputError, Policy, load_policy


def test_defaults_are_conservative():
    policy = Policy()
    assert (policy.visiting_hours.start, policy.visiting_hours.end) == ("08:00", "21:00")
    assert (policy.max_visits_7d, policy.max_visits_30d, policy.min_days_between_visits) == (2, 4, 2)
    assert "dispute" in policy.do_not_visit_statuses and "bankruptcy" in policy.do_not_visit_statuses


def test_load_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('timezone = "America/New_York"\nholidays = ["2026-12-25"]\n'
                    'do_not_visit_statuses = ["Dispute"]\n'
                    '[visiting_hours]\nstart = "09:00"\nend = "20:00"\n'
                    '[travel]\nspeed_kmh = 40\n')
    policy = load_policy(path)
    assert policy.visiting_hours.start_min == 540 and policy.visiting_hours.end_min == 1200
    assert policy.holidays == ("2026-12-25",)
    assert policy.is_holiday(dt.date(2026, 12, 25)) and not policy.is_holiday(dt.date(2027, 12, 25))
    assert policy.is_do_not_visit("DISPUTE ") and not policy.is_do_not_visit("current")
    assert policy.travel.speed_kmh == 40 and policy.travel.detour_factor == 1.3


@pytest.mark.parametrize("text, key", [
    ('max_visits_7d = -1\n', "max_visits_7d"),
    ('[visiting_hours]\nstart = "25:00"\n', "visiting_hours.start"),
    ('timezone = "Mars/Base"\n', "timezone"),
    ('unknown_rule = 1\n', "unknown_rule"),
])
def test_bad_policy_names_the_key(tmp_path, text, key):
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_policy(path)
    assert str(path) in str(info.value) and key in str(info.value)


def test_broken_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("this is = = not toml")
    with pytest.raises(InputError, match="not valid TOML"):
        load_policy(path)
