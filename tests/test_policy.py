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


@pytest.mark.parametrize("text, words", [
    ('holidays = ["20261201"]', "is not a date YYYY-MM-DD or MM-DD"),
    ("holidays = [20261201]", "is not a date in quotes"),
    ('holidays = "2026-12-01"', "must be a list of dates"),
    ('holidays = ["2026-02-30"]', "is not a date"),
    ('holidays = ["12/01"]', "is not a date"),
    ('do_not_visit_statuses = "dispute"', "must be a list of words"),
    ("[weights]\npriority_minutes = 1e9", "less than or equal to 10000"),
])
def test_policy_values_that_would_be_ignored_are_refused(tmp_path, text, words):
    path = tmp_path / "policy.toml"
    path.write_text(text + "\n")
    with pytest.raises(InputError) as info:
        load_policy(path)
    assert words in str(info.value) and "policy.toml" in str(info.value)


def test_holiday_forms_that_are_kept():
    policy = Policy(holidays=["2026-12-01", "10-01", dt.date(2027, 1, 1), "02-29"])
    assert policy.holidays == ("2026-12-01", "10-01", "2027-01-01", "02-29")
    assert policy.is_holiday(dt.date(2026, 12, 1)) and policy.is_holiday(dt.date(2030, 10, 1))
