"""A seeded generator of a realistic example day: a collections team in Shanghai.

The data are synthetic (names, phones and addresses are made up); the
shape is what matters: borrowers clustered around districts, most
reachable only in the evening or at weekends, some at lunch, a few
retirees at home in the daytime, mixed priorities, senior-only and
Cantonese-speaking accounts, and a handful of do-not-visit holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

DEMO_DATE = dt.date(2026, 12, 1)  # a Tuesday

DISTRICTS = [  # name, lat, lon, spread (degrees)
    ("黄浦区", 31.2317, 121.4846, 0.015), ("徐汇区", 31.1886, 121.4365, 0.02),
    ("静安区", 31.2286, 121.4480, 0.015), ("浦东新区", 31.2214, 121.5446, 0.035),
    ("闵行区", 31.1129, 121.3817, 0.03), ("杨浦区", 31.2595, 121.5260, 0.02),
    ("普陀区", 31.2496, 121.3974, 0.02), ("长宁区", 31.2204, 121.4246, 0.015),
]
OFFICES = [("office-west", 31.2204, 121.4246), ("office-east", 31.2214, 121.5446)]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")
ROADS = ["南京路", "淮海路", "延安路", "四川路", "世纪大道", "漕溪路", "长寿路", "中山路", "武宁路"]
WINDOWS = [  # availability pattern, share of borrowers
    ("Mon-Fri 18:30-21:00; Sat,Sun 09:00-12:00", 0.40),
    ("Mon-Fri 12:00-13:30; Mon-Fri 18:00-20:30", 0.20),
    ("09:00-11:30; 14:00-17:00", 0.15),
    ("", 0.15),
    ("Sat,Sun 10:00-17:00", 0.10),
]
HOLDS = ["dispute", "complaint", "bankruptcy"]


def generate_accounts(n: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    district = rng.integers(len(DISTRICTS), size=n)
    lat = np.array([DISTRICTS[d][1] for d in district]) + rng.normal(0, 1, n) * [
        DISTRICTS[d][3] for d in district]
    lon = np.array([DISTRICTS[d][2] for d in district]) + rng.normal(0, 1, n) * [
        DISTRICTS[d][3] for d in district]
    balance = np.round(rng.lognormal(9.3, 0.9, n), 2)
    dpd = rng.integers(3, 120, n)
    # Urgency: overdue amount with diminishing returns, times lateness; 1..10.
    raw = np.log1p(balance / 1000) * (1 + dpd / 30)
    priority = np.round(1 + 9 * (raw - raw.min()) / (raw.max() - raw.min()), 1)
    patterns, weights = zip(*WINDOWS)
    windows = rng.choice(patterns, size=n, p=weights)
    skills = rng.choice(["", "senior", "cantonese"], size=n, p=[0.82, 0.12, 0.06])
    status = rng.choice(["", *HOLDS], size=n, p=[0.95, 0.02, 0.02, 0.01])
    last = [
        "" if rng.random() < 0.6 else (DEMO_DATE - dt.timedelta(days=int(rng.integers(1, 25))))
        .isoformat() for _ in range(n)]
    visits_30d = [0 if not lv else int(rng.integers(1, 5)) for lv in last]
    return pd.DataFrame({
        "account_id": [f"CN{100000 + i}" for i in range(n)],
        "name": [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN, size=rng.integers(1, 3)))
                 for _ in range(n)],
        "phone": [f"1{rng.choice([3, 5, 8])}{rng.integers(10**8, 10**9)}" for _ in range(n)],
        "address": [f"上海市{DISTRICTS[d][0]}{rng.choice(ROADS)}{rng.integers(1, 999)}号"
                    f"{rng.integers(1, 30)}0{rng.integers(1, 6)}室" for d in district],
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "balance": balance, "days_past_due": dpd, "priority": priority,
        "windows": windows, "service_min": rng.choice([15, 20, 30], size=n, p=[0.3, 0.5, 0.2]),
        "skills": skills,
        "preferred_agent": ["" if rng.random() < 0.9 else f"AG{rng.integers(1, 13):02d}"
                            for _ in range(n)],
        "must_visit": rng.random(n) < 0.03,
        "status": status, "last_visit": last, "visits_30d": visits_30d,
    })


def generate_agents(n: int = 12, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    rows = []
    for i in range(n):
        office = OFFICES[i % len(OFFICES)]
        evening = i % 3 == 2  # a third work the evening shift, when borrowers are home
        rows.append({
            "agent_id": f"AG{i + 1:02d}",
            "start_lat": office[1], "start_lon": office[2],
            "shift_start": "12:00" if evening else "09:00",
            "shift_end": "21:00" if evening else "18:00",
            "break": "16:30-18:00/45" if evening else "11:30-13:30/60",
            "max_visits": 14,
            "skills": ";".join(s for s, keep in (("senior", i % 4 == 0),
                                                  ("cantonese", i % 6 == 1)) if keep),
            "speed_kmh": 25 if rng.random() < 0.7 else 30,
            "days": "Mon-Sat" if i % 2 else "Mon-Fri",
        })
    return pd.DataFrame(rows)


POLICY_TOML = """\
# Example policy for the demo: China, conservative defaults.
timezone = "Asia/Shanghai"
max_visits_7d = 2
max_visits_30d = 4
min_days_between_visits = 2
do_not_visit_statuses = ["dispute", "complaint", "bankruptcy", "deceased", "cease_contact", "legal_hold"]
holidays = ["2026-10-01", "2026-10-02", "2026-10-03", "2027-01-01"]

[visiting_hours]
start = "08:00"
end = "21:00"

[travel]
speed_kmh = 25
detour_factor = 1.3

[solver]
time_limit_s = 30
seed = 0
"""


def write_example(folder: str | Path, seed: int = 7) -> dict[str, Path]:
    """Write ``accounts.csv``, ``agents.csv`` and ``policy.toml`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in ("accounts.csv", "agents.csv", "policy.toml")}
    generate_accounts(seed=seed).to_csv(paths["accounts.csv"], index=False)
    generate_agents(seed=seed).to_csv(paths["agents.csv"], index=False)
    paths["policy.toml"].write_text(POLICY_TOML, encoding="utf-8")
    return paths
