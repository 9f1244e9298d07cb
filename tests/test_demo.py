import pandas as pd

import visitplan as vp
from visitplan.demo import DEMO_DATE, generate_accounts, generate_agents


def test_generator_is_seeded():
    pd.testing.assert_frame_equal(generate_accounts(seed=3), generate_accounts(seed=3))
    assert not generate_accounts(seed=3).equals(generate_accounts(seed=4))


def test_example_day_looks_like_the_field(examples):
    accounts = pd.read_csv(examples["accounts.csv"], dtype=str, keep_default_na=False)
    agents = pd.read_csv(examples["agents.csv"], dtype=str, keep_default_na=False)
    assert len(accounts) == 300 and len(agents) == 12
    assert accounts["windows"].str.contains("18:").mean() > 0.4  # evenings dominate
    assert set(accounts["status"]) >= {"", "dispute", "complaint"}
    assert (accounts["skills"] != "").sum() > 10
    assert "12:00" in set(agents["shift_start"])  # an evening shift exists
    lat, lon = accounts["lat"].astype(float), accounts["lon"].astype(float)
    assert lat.between(30.9, 31.5).all() and lon.between(121.1, 121.8).all()  # Shanghai


def test_example_day_loads_with_its_policy(examples):
    problem = vp.read_csv(examples["accounts.csv"], examples["agents.csv"],
                                  policy=examples["policy.toml"], date=DEMO_DATE)
    assert len(problem.accounts) == 300 and problem.policy.timezone == "Asia/Shanghai"
    assert len(generate_agents(25)) == 25
