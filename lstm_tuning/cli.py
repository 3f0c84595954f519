"""`lstm-tuning <command>` (or `python -m lstm_tuning <command>`): the commands around the pipeline.

The pipeline itself runs with DVC (`dvc repro`, `dvc exp run`); these read its experiments and results. Each
command's arguments are read here and handed to one package function, imported only when the command runs
(importing every command's module takes seconds).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lstm_tuning.errors import UserError, run_stage


def study(argv: list[str]) -> None:
    """Compare the configurations of a sweep: one param varied across finished DVC experiments."""
    from lstm_tuning.reports import statistics, sweep

    parser = _parser("study", study, """
    lstm-tuning study --baseline model.units=1 --out studies/units
    lstm-tuning study --baseline model.units=16 --match data.name=sine_wave --out studies/sine_units

The sweep is every finished experiment of the commit (--rev, default HEAD) whose params differ from the
commit's own in the baseline's key only; with --match, from the params of the baseline's experiment that matches
those settings. Configurations are compared on the validation origins (--test: on the test origins, not for
choosing). A panel's sweep (data.id_column set) is compared on MASE, paired across its series. Writes
<out>/report.md, <out>/boxplot.png and <out>/train_test.png.""")
    parser.add_argument("--baseline", required=True, help="the varied param and its baseline value: model.units=1")
    parser.add_argument("--out", required=True, type=Path, help="directory for report.md and boxplot.png")
    parser.add_argument("--rev", default="HEAD", help="the commit whose experiments to gather (default HEAD)")
    parser.add_argument("--alpha", type=float, default=statistics.ALPHA, help="significance level (0.05)")
    parser.add_argument("--repo", type=Path, default=Path("."), help="the DVC repository (default: here)")
    parser.add_argument("--match", action="append", default=[], metavar="KEY=VALUE",
                        help="study the sweep whose baseline experiment has this param value (repeatable)")
    parser.add_argument("--test", action="store_true",
                        help="compare on the test origins instead of the validation origins (not for choosing)")
    args = parser.parse_args(argv)
    sweep.compare(args.repo, args.rev, args.baseline, args.match, args.out, args.alpha, "test" if args.test else "val")


def review(argv: list[str]) -> None:
    """The pull-request review: metrics, params and changed plots of the workspace against a base revision."""
    parser = _parser("review", review, """
    lstm-tuning review main > review.md

Markdown on stdout; the images it shows are written to --images (default review/).""")
    parser.add_argument("base", help="the revision to compare against, for example main")
    parser.add_argument("--images", type=Path, default=Path("review"), help="where the plot images go")
    args = parser.parse_args(argv)
    from lstm_tuning.reports import review as pull_request

    sys.stdout.write(pull_request.markdown(args.base, args.images))


def experiment(argv: list[str]) -> None:
    """Write a DVC experiment's configuration as a named one, conf/experiment/<name>.yaml, generated."""
    parser = _parser("experiment", experiment, """
    lstm-tuning experiment <dvc experiment> --as <name>

`dvc exp run -S experiment=<name>` then composes exactly the params of that experiment.""")
    parser.add_argument("name", help="a finished DVC experiment of the commit (as `dvc exp show` names it)")
    parser.add_argument("--as", dest="as_name", required=True, help="the experiment file's name: conf/experiment/<as>")
    parser.add_argument("--rev", default="HEAD", help="the commit whose experiments to look in (default HEAD)")
    args = parser.parse_args(argv)
    from lstm_tuning.search import choice

    choice.from_experiment(args.name, args.as_name, args.rev)


def search(argv: list[str]) -> None:
    """Search a space of configurations with Optuna, every trial a DVC experiment (`conf/search/<name>.yaml`)."""
    parser = _parser("search", search, """
The study lives in Optuna storage (default studies/<name>/journal.log; a database URL such as
postgresql://user@host/db for workers on several machines). When no trial is left running, the choice is
written to conf/experiment/<name>.yaml, reproduced once, its test period scored once, and
studies/<name>/report.md written. See docs/search.md.""")
    parser.add_argument("name", help="the search: conf/search/<name>.yaml")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="trials at once in this process (default 1)")
    parser.add_argument("--trials", type=int, help="the study's budget of trials (default: the search file's; 0: "
                                                     "no new trial, the choice and report only)")
    parser.add_argument("--timeout", type=float, help="seconds this worker starts trials for (default: the file's)")
    parser.add_argument("--storage", help="Optuna storage: a journal file or a database URL "
                                          "(default studies/<name>/journal.log)")
    parser.add_argument("--heartbeat", type=int, help="on a database: seconds between a running trial's heartbeats; "
                                                      "a trial silent for twice that is lost and runs again "
                                                      "(default 60)")
    parser.add_argument("--remote", help="a git remote: push each finished trial's experiment there (outputs to the "
                                         "default DVC remote) and pull the missing ones for the choice")
    parser.add_argument("--no-finish", action="store_true", help="run trials only; leave the choice and the report "
                                                                  "to a later `lstm-tuning search <name>`")
    args = parser.parse_args(argv)
    os.environ["DVC_NO_ANALYTICS"] = "1"
    import optuna

    from lstm_tuning.search import space, storage, study
    from lstm_tuning.search.run import run

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    chosen = space.load(args.name)
    if args.jobs < 1:
        raise UserError(f"-j {args.jobs}: run at least one trial at once")
    if args.trials is not None and args.trials < 0:
        raise UserError(f"--trials {args.trials}: the budget is a number of trials >= 0")
    if args.heartbeat is not None and args.heartbeat < 1:
        raise UserError(f"--heartbeat {args.heartbeat}: seconds between heartbeats, a whole number >= 1")
    chosen.trials = chosen.trials if args.trials is None else args.trials
    chosen.timeout = chosen.timeout if args.timeout is None else args.timeout
    location = args.storage or str(study.study_dir(chosen.name) / "journal.log")
    run(chosen, location, args.jobs, args.heartbeat or storage.HEARTBEAT, args.remote, args.no_finish)


COMMANDS = {command.__name__: command for command in (study, review, experiment, search)}


def _parser(name: str, command, usage: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"lstm-tuning {name}", description=command.__doc__ + "\n" + usage,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def usage() -> str:
    lines = ["usage: lstm-tuning <command> [options]", "", "commands:"]
    for name, command in COMMANDS.items():
        lines.append(f"  {name:<11} {command.__doc__.splitlines()[0]}")
    lines += ["", "`lstm-tuning <command> --help` for a command's options; the pipeline runs with `dvc repro`."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return
    command, *rest = argv
    if command not in COMMANDS:
        print(f"error: unknown command {command!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(2)
    run_stage(COMMANDS[command], rest)
