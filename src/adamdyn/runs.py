"""A run's identity, and the plan of runs (and training jobs) a scale's figures ask for.

A run is identified by its settings: problem, optimiser and hyper-parameters, seed, dtype and
batch size. Its folder name is derived from them and readable
(``quad10-s0-f12_rmsprop_eta1e-3_a100_seed0_f64``). How long it is trained and what it logs
are not part of its identity: when two figures ask for the same run, it is trained once, for
the longest number of iterations asked, logging everything either figure needs; a figure that
needs fewer iterations reads the first ones of the longer run.

A training job trains one run, or a batch of runs that differ only in Adam's (a, b) (a figure asks
for that with ``batched: K``, at most K runs a job, in the figure's order; Fig 8's cells), or a
sequence of runs one after another in one process (``sequence: K``: the start-up of a job, about 3 s
of imports, paid once for K short runs; each run exactly as it would be trained alone). Either way
every run gets its own folder, history and run.json.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .naming import fmt
from .optim import OptimiserSpec
from .settings import EPS, settings_close
from .problems import problem_tag
from .schedule import Schedule, ScheduledAdam

DTYPES = {"float32": "f32", "float64": "f64"}
SWEEP_KEYS = ("eta", "a", "b", "alpha", "beta", "schedule", "batch_size")


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's trajectory. ``schedule`` (Adam only) decays eta and moves
    alpha and beta with it (:mod:`adamdyn.schedule`); None is a constant eta."""

    problem: dict
    optimiser: OptimiserSpec
    seed: int
    dtype: str
    batch_size: int | None = None
    schedule: Schedule | None = None

    def __post_init__(self):
        if self.schedule is not None and self.optimiser.name != "adam":
            raise ValueError(f"a learning-rate schedule is for Adam only, not {self.optimiser.name}")

    @property
    def name(self) -> str:
        opt = self.optimiser
        parts = [problem_tag(self.problem), f"{opt.name}_eta{fmt(opt.eta)}"]
        if opt.alpha is not None:
            parts.append(f"a{fmt(opt.a)}")
        if opt.beta is not None:
            parts.append(f"b{fmt(opt.b)}")
        if opt.eps != EPS:
            parts.append(f"eps{fmt(opt.eps)}")
        if self.schedule is not None:
            parts.append(self.schedule.tag)
        if self.batch_size is not None:
            parts.append(f"bs{self.batch_size}")
        parts += [f"seed{self.seed}", DTYPES[self.dtype]]
        return "_".join(parts)

    def to_dict(self) -> dict:
        d = {"problem": dict(self.problem), "optimiser": self.optimiser.to_dict(),
             "seed": self.seed, "dtype": self.dtype, "batch_size": self.batch_size}
        if self.schedule is not None:  # absent for a constant eta, so older runs keep their identity
            d["schedule"] = self.schedule.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "RunSpec":
        o = d["optimiser"]
        opt = OptimiserSpec(name=o["name"], eta=o["eta"], alpha=o["alpha"], beta=o["beta"], eps=o["eps"])
        schedule = Schedule.from_dict(d["schedule"]) if d.get("schedule") else None
        return cls(problem=d["problem"], optimiser=opt, seed=d["seed"], dtype=d["dtype"],
                   batch_size=d["batch_size"], schedule=schedule)

    def build_optimiser(self, params):
        """The torch optimiser of this run: eq. (2), (3) or (5), or Adam on a schedule."""
        opt = self.optimiser
        if self.schedule is None:
            return opt.build(params)
        return ScheduledAdam(params, opt.eta, opt.alpha, opt.beta, opt.eps, self.schedule)

    def same_as(self, other: "RunSpec") -> bool:
        """Equal settings, floats compared to 1e-9 relative (alpha = 1 - a*eta is rounded differently
        depending on whether (a, b) or (alpha, beta) was configured)."""
        return settings_close(self.to_dict(), other.to_dict())


@dataclass
class RunPlan:
    """A run to train: its spec, iterations, what it logs, and the compute it asks for."""

    spec: RunSpec
    iterations: int
    log_iterate: bool = False
    log_norms: bool = False
    eval_every: int = 0
    threads: int = 1
    figures: list[str] = field(default_factory=list)
    checkpoint_every: int | None = None  # iterations; None: the config's global checkpoint_every
    sharpness_every: int = 0  # The spike-mechanism study's signals (adamdyn.sharpness.SpikeProbe); 0: not logged
    lanczos_steps: int = 0
    log_update_max: bool = False  # The divergence-edge study's largest |m_hat| / (sqrt(v_hat) + eps) (batched executor only)

    @property
    def name(self) -> str:
        return self.spec.name

    def to_dict(self) -> dict:
        d = {"name": self.name, "spec": self.spec.to_dict(), "iterations": self.iterations,
             "log_iterate": self.log_iterate, "log_norms": self.log_norms,
             "eval_every": self.eval_every, "threads": self.threads, "figures": self.figures,
             "checkpoint_every": self.checkpoint_every}
        if self.sharpness_every:  # absent otherwise, so that no other run's job changes
            d.update(sharpness_every=self.sharpness_every, lanczos_steps=self.lanczos_steps)
        if self.log_update_max:
            d["log_update_max"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "RunPlan":
        return cls(spec=RunSpec.from_dict(d["spec"]), iterations=d["iterations"],
                   log_iterate=d["log_iterate"], log_norms=d["log_norms"], eval_every=d["eval_every"],
                   threads=d["threads"], figures=list(d["figures"]), checkpoint_every=d.get("checkpoint_every"),
                   sharpness_every=d.get("sharpness_every", 0), lanczos_steps=d.get("lanczos_steps", 0),
                   log_update_max=bool(d.get("log_update_max", False)))

    def absorb(self, other: "RunPlan") -> None:
        """Merge another figure's request for the same run: longest, logging the union."""
        if not self.spec.same_as(other.spec):
            raise ValueError(f"Two different settings map to the run name {self.name!r}: "
                             f"{self.spec.to_dict()} and {other.spec.to_dict()}; "
                             "they differ below the name's 4 significant digits")
        self.iterations = max(self.iterations, other.iterations)
        self.log_iterate |= other.log_iterate
        self.log_norms |= other.log_norms
        self.log_update_max |= other.log_update_max
        if other.eval_every:
            self.eval_every = min(e for e in (self.eval_every, other.eval_every) if e)
        self.threads = max(self.threads, other.threads)
        if other.sharpness_every:
            self.sharpness_every = min(e for e in (self.sharpness_every, other.sharpness_every) if e)
            self.lanczos_steps = max(self.lanczos_steps, other.lanczos_steps)
        if other.checkpoint_every:
            self.checkpoint_every = min(c for c in (self.checkpoint_every, other.checkpoint_every) if c)
        self.figures = sorted(set(self.figures) | set(other.figures))


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def figure_runs(figure: str, cfg: dict) -> list[tuple[RunPlan, int]]:
    """Expand one figure's config into (plan, iterations this figure reads) pairs.

    Each entry of ``cfg["runs"]`` names an optimiser and its hyper-parameters; a list value of
    eta, a, b, alpha or beta sweeps over it (the product of all lists), as do ``cfg["seeds"]``.
    An entry may override the figure's ``iterations`` (or give ``time``: t = eta * iterations, as
    in Fig 2), ``threads``, ``problem`` (Fig 1 has two problems), ``seeds`` (the spike-mechanism study's eps control)
    and ``log`` (merged into the figure's).
    """
    out = []
    for i, entry in enumerate(cfg["runs"]):
        log = {**cfg.get("log", {}), **entry.get("log", {})}
        fixed = {k: v for k, v in entry.items()
                 if k not in SWEEP_KEYS + ("optimiser", "iterations", "time", "threads", "problem", "eps", "log", "seeds")}
        if fixed:
            raise ValueError(f"{figure}.runs[{i}]: unknown key(s) {sorted(fixed)} in a runs entry")
        sweep = {k: _as_list(entry[k]) for k in SWEEP_KEYS if k in entry}
        for seed in entry.get("seeds", cfg["seeds"]):
            for values in itertools.product(*sweep.values()):
                hp = dict(zip(sweep.keys(), values))
                schedule = hp.pop("schedule", None)
                batch_size = hp.pop("batch_size", cfg.get("batch_size"))
                if "eps" in entry:
                    hp["eps"] = entry["eps"]
                try:
                    opt = OptimiserSpec.from_config(entry["optimiser"], **hp)
                    schedule = None if schedule is None else Schedule.from_dict(schedule)
                    spec = RunSpec(problem=dict(entry.get("problem", cfg["problem"])), optimiser=opt,
                                   seed=int(seed), dtype=cfg["dtype"], batch_size=batch_size, schedule=schedule)
                except ValueError as exc:
                    written = ", ".join(f"{k}: {v}" for k, v in hp.items())
                    raise ValueError(f"{figure}.runs[{i}] ({entry['optimiser']}, {written}): {exc}") from None
                if "time" in entry:
                    iterations = int(round(entry["time"] / opt.eta))
                else:
                    iterations = int(entry.get("iterations", cfg["iterations"]))
                plan = RunPlan(spec=spec, iterations=iterations,
                               log_iterate=bool(log.get("iterate", False)),
                               log_norms=bool(log.get("norms", False)),
                               eval_every=int(log.get("eval_every", 0)),
                               threads=int(entry.get("threads", cfg["threads"])), figures=[figure],
                               checkpoint_every=cfg.get("checkpoint_every"),
                               sharpness_every=int(log.get("sharpness_every", 0)),
                               lanczos_steps=int(log.get("lanczos_steps", 0)))
                if plan.sharpness_every and (opt.name != "adam" or schedule is not None or batch_size is not None):
                    raise ValueError(f"{figure}.runs[{i}]: log.sharpness_every is for full-batch Adam at a constant eta")
                out.append((plan, iterations))
    return out


def run_identity(plan: RunPlan) -> dict:
    """What determines a run's history: its settings and what it logs (not its length or threads).
    The spike-mechanism study's signals enter only when logged, so that every other run keeps its identity."""
    logging = {"iterate": plan.log_iterate, "norms": plan.log_norms, "eval_every": plan.eval_every}
    if plan.sharpness_every:
        logging.update(sharpness_every=plan.sharpness_every, lanczos_steps=plan.lanczos_steps)
    if plan.log_update_max:
        logging["update_max"] = True
    return {"spec": plan.spec.to_dict(), "logging": logging}


def batch_key(plan: RunPlan) -> dict:
    """What the runs of one batch must share: everything but Adam's (alpha, beta) and the seed
    (each cell starts from its own seed's weights)."""
    spec, opt = plan.spec, plan.spec.optimiser
    return {"problem": spec.problem, "dtype": spec.dtype, "batch_size": spec.batch_size,
            "optimiser": opt.name, "eta": opt.eta, "eps": opt.eps, "iterations": plan.iterations,
            "logging": (plan.log_iterate, plan.log_norms, plan.eval_every, plan.sharpness_every,
                        plan.log_update_max)}


def batch_problem(plan: RunPlan) -> str | None:
    """Why ``plan`` cannot be trained in a batch (None if it can)."""
    spec = plan.spec
    if spec.problem.get("name") != "mlp" or spec.problem.get("activation", "relu") != "relu":
        return f"problem {spec.problem.get('name')!r}: only ReLU MLPs are stacked"
    if spec.optimiser.name != "adam":
        return f"optimiser {spec.optimiser.name!r}: only Adam is stacked"
    if spec.batch_size is not None:
        return "mini-batches: only full-batch runs are stacked"
    if spec.schedule is not None:
        return "a learning-rate schedule: a stack runs a constant eta"
    if plan.log_iterate or plan.log_norms or plan.eval_every or plan.sharpness_every:
        return ("logged extras (iterate, norms, held-out metrics, sharpness): a stack logs the loss and "
                "the largest update only")
    return None


def batch_refusal(plans: list[RunPlan]) -> str | None:
    """Why ``plans`` cannot be trained as one batch (None if they can): the one check of the plan
    and of :func:`train_batch`."""
    for p in plans:
        why = batch_problem(p)
        if why:
            return f"{why} (run {p.name})"
    for p in plans[1:]:
        if batch_key(p) != batch_key(plans[0]):
            return (f"runs {plans[0].name} and {p.name} differ in more than (a, b) "
                    "(another figure may ask for one of them with other iterations or logging)")
    return None


@dataclass
class Job:
    """One training job: a single run, or a batch of runs trained at once (:mod:`adamdyn.batched`)."""

    name: str
    executor: str  # "single", "batched" or "sequence"
    runs: list[str]

    def to_dict(self, runs: dict[str, RunPlan]) -> dict:
        return {"name": self.name, "executor": self.executor, "runs": [runs[r].to_dict() for r in self.runs]}


def plan_scale(figures: dict[str, dict]) -> tuple[dict[str, RunPlan], dict[str, list[tuple[str, int]]], dict[str, Job]]:
    """All runs of a scale's figures, each distinct run once, and the jobs that train them.

    Returns ``runs`` (name -> merged plan), ``reads`` (figure -> [(run name, iterations it
    reads)], in config order) and ``jobs`` (name -> :class:`Job`): the runs of a figure with
    ``batched: K`` in batches of at most K runs that share all but (a, b) (named
    ``<figure>_batchNNN``; a run two batched figures read is batched by the one that reads it
    longest, then by the smaller one), every other run alone (its job named like the run).
    """
    runs: dict[str, RunPlan] = {}
    reads: dict[str, list[tuple[str, int]]] = {}
    for figure, cfg in figures.items():
        reads[figure] = []
        for plan, iterations in figure_runs(figure, cfg):
            if plan.name in runs:
                runs[plan.name].absorb(plan)
            else:
                runs[plan.name] = plan
            if (plan.name, iterations) not in reads[figure]:
                reads[figure].append((plan.name, iterations))
    jobs: dict[str, Job] = {}
    assigned: set[str] = set()  # runs already in a batch or a sequence
    # a run read by several batched figures is batched with the one that reads it longest, and among
    # those with the one of fewest runs (a slice or a study of a larger map trains its cells itself)
    longest: dict[str, str] = {}
    for figure, cfg in figures.items():
        if cfg.get("batched"):
            for n, iterations in reads[figure]:
                if n not in longest or (iterations, -len(reads[figure])) > (dict(reads[longest[n]])[n],
                                                                            -len(reads[longest[n]])):
                    longest[n] = figure
    for figure, cfg in figures.items():
        size = cfg.get("batched")
        if not size:
            continue
        names = [n for n, _ in reads[figure] if n not in assigned and longest[n] == figure]
        groups: dict[str, list[str]] = {}  # by what a batch's runs share (length, problem, ...), in order
        for n in names:
            groups.setdefault(repr(batch_key(runs[n])), []).append(n)
        chunks = [g[i:i + size] for g in groups.values() for i in range(0, len(g), size)]
        for i, members in enumerate(chunks):
            why = batch_refusal([runs[n] for n in members])
            if why:
                raise ValueError(f"{figure}: batched, but these runs cannot be trained in a batch: {why}")
            name = f"{figure}_batch{i:03d}"
            jobs[name] = Job(name, "batched", members)
            assigned.update(members)
    # ``sequence: K``: a figure's other runs, K a job in its order, each with the threads it asks for (a
    # run read by several such figures goes with the first); a job of one run stays a single job
    for figure, cfg in figures.items():
        size = cfg.get("sequence")
        if not size:
            continue
        by_threads: dict[int, list[str]] = {}
        for n, _ in reads[figure]:
            if n not in assigned:
                by_threads.setdefault(runs[n].threads, []).append(n)
        chunks = [g[i:i + size] for g in by_threads.values() for i in range(0, len(g), size)]
        for i, members in enumerate(c for c in chunks if len(c) > 1):
            name = f"{figure}_seq{i:03d}"
            jobs[name] = Job(name, "sequence", members)
            assigned.update(members)
    for name in runs:
        if name not in assigned:
            jobs[name] = Job(name, "single", [name])
    return runs, reads, jobs
