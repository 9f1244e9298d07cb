"""Plot the growth of a city day (benchmarks/out/scale-60.csv) into benchmarks/scale.png.

    .venv/bin/python benchmarks/plot_scale.py   # needs matplotlib
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    table = pd.read_csv(HERE / "out" / "scale-60.csv").sort_values("accounts")
    fig, (time_ax, memory_ax) = plt.subplots(1, 2, figsize=(9, 3.4))
    time_ax.plot(table["accounts"], table["first_plan_s"], "o-", label="first complete plan")
    time_ax.plot(table["accounts"], table["build_s"], "s--", label="screening, territories, first model built")
    time_ax.set_xlabel("accounts")
    time_ax.set_ylabel("seconds")
    time_ax.set_title("time (limit 60 s)")
    time_ax.legend()
    memory_ax.plot(table["accounts"], table["peak_gb"], "o-", color="tab:red")
    memory_ax.set_xlabel("accounts")
    memory_ax.set_ylabel("GB (peak resident)")
    memory_ax.set_title("memory")
    for ax in (time_ax, memory_ax):
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(HERE / "scale.png", dpi=110)


if __name__ == "__main__":
    main()
