"""The registry of figures: every figure module has its statistics table, claims, drawing, caption,
schema entry and config entry at every scale, and they agree (what adding a figure must touch)."""
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from adamdyn import figures, studies
from adamdyn.config import assemble_schema, load_config, settings_files
from adamdyn.registry import FIGURES, PAPER_FIGURES, PARTS, STUDIES, is_study, settings_for, title, variant_configs
from adamdyn.workflow import plan

from conftest import CONFIG, ROOT

SCHEMA = assemble_schema(CONFIG, ROOT / "workflow/schemas/config.schema.yaml")  # with each figure's own part
SCALES = list(CONFIG["scales"])


def test_every_figure_and_study_module_in_the_package_is_discovered():
    """The paper's ten figures in adamdyn.figures, our studies apart in adamdyn.studies, named by
    what they study (never numbered like a figure of the paper)."""
    files = sorted(p.stem for p in Path(figures.__file__).parent.glob("fig[0-9][0-9].py"))
    assert files == list(PAPER_FIGURES) == [f"fig{n:02d}" for n in range(1, 11)]
    ours = sorted(p.stem for p in Path(studies.__file__).parent.glob("[a-z]*.py"))
    assert ours == list(STUDIES) and len(ours) >= 5 and not any(s[:3] == "fig" and s[3:].isdigit() for s in ours)
    assert list(FIGURES) == files + ours and all(is_study(s) and not is_study(f) for s in ours for f in files)


@pytest.mark.parametrize("fig", list(FIGURES))
def test_a_figure_has_its_parts_caption_and_schema_entry(fig):
    module = FIGURES[fig]
    assert module.__doc__ and module.__doc__.startswith(title(fig))
    if is_study(fig):
        assert title(fig).startswith("The ") and title(fig).endswith(" study") and "(beyond the paper)" in module.__doc__
    for part in PARTS:
        fn = getattr(module, part)
        assert callable(fn) and fn.__doc__, f"{fig}.{part} missing or undocumented"
    assert list(inspect.signature(module.table).parameters)[0] == "runs"
    assert list(inspect.signature(module.claims).parameters)[0] == "stats"
    caption = ROOT / "workflow" / "report" / f"{fig}.rst"
    assert caption.read_text().startswith(title(fig) + ":"), caption
    assert fig in SCHEMA["definitions"]["scale"]["properties"], f"no schema entry scales.<scale>.{fig}"


@pytest.mark.parametrize("scale", SCALES)
def test_every_figure_is_configured_and_finds_its_settings_at_every_scale(scale):
    scale_cfg = CONFIG["scales"][scale]
    for fig in FIGURES:
        assert fig in scale_cfg, f"config.yaml: scales.{scale} has no {fig}"
        for part in PARTS:
            settings_for(fig, part, CONFIG, scale_cfg)  # raises naming the missing setting
    runs, reads, jobs = plan(scale, scale_cfg)
    variants = variant_configs(scale_cfg)
    assert sorted(reads) == sorted(variants) and set(FIGURES) <= set(reads)
    for fig in set(variants) - set(FIGURES):  # figNN-<variant>: the same module, its own settings
        for part in PARTS:
            settings_for(fig, part, CONFIG, scale_cfg)
    assert sorted(r for job in jobs.values() for r in job.runs) == sorted(runs)  # each run in one job


def test_each_figure_and_study_has_all_its_settings_in_one_file():
    """workflow/config/<id>.yaml holds a figure's statistics, claims, every scale's entry and their schema,
    and only its own; config.yaml holds what the figures share and no figure's settings."""
    shared = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert not set(FIGURES) & {*shared["stats"], *shared["claims"], *(k for s in shared["scales"].values() for k in s)}
    # and the calibration study's (issue 26): candidates applied to the figures, not a figure of its own
    assert sorted(p.stem for p in settings_files(ROOT)) == sorted([*FIGURES, "calibration"])
    calibration = yaml.safe_load((ROOT / "workflow" / "config" / "calibration.yaml").read_text())
    assert set(calibration) == {"scales", "schema"} and set(calibration["schema"]) == {"calibration"}
    assert all(set(entry) <= {"calibration", "datasets"} for entry in calibration["scales"].values())
    for fig in FIGURES:
        own = yaml.safe_load((ROOT / "workflow" / "config" / f"{fig}.yaml").read_text())
        assert set(own) <= {"stats", "claims", "scales", "schema"} and set(own["scales"]) == set(SCALES), fig
        assert set(own["schema"]) == {fig} and set(own["schema"][fig]) >= {"entry"}, f"{fig}: its schema"
        assert all(set(own.get(section, {})) <= {fig} for section in ("stats", "claims")), fig
        assert all(set(entry) == {fig} for entry in own["scales"].values()), fig


def test_fig08_names_the_cells_its_reduction_was_chosen_on():
    """The cpu Fig 8's caveat lists the cells its width and length were chosen on: the Fig 8 reduction
    study's cells, copied into Fig 8's settings file (each figure's settings in one file)."""
    cpu = CONFIG["scales"]["cpu"]
    assert cpu["fig08"]["chosen_on_results"]["cells"] == cpu["fig08_reduction"]["cells"]


def test_a_config_error_names_the_file_that_holds_the_key():
    from adamdyn.config import config_errors

    config = load_config(ROOT)
    config["scales"]["cpu"]["fig08"]["gird"] = {}
    config["stats"]["regime"]["hieght"] = 1.0
    errors = config_errors(config, ROOT / "workflow" / "schemas" / "config.schema.yaml")
    assert any(e.startswith("workflow/config/fig08.yaml: scales.cpu.fig08: unknown key 'gird' (did you mean 'grid'?")
               for e in errors), errors
    assert any(e.startswith("config.yaml: stats.regime: unknown key 'hieght'") for e in errors), errors


def test_no_setting_belongs_to_a_figure_that_does_not_exist():
    for section in ("stats", "claims"):
        figs = [k for k in CONFIG[section] if k not in ("evidence", "tail_window", "regime", "sensitivity")]
        assert set(figs) <= set(FIGURES), section
        assert set(figs) <= set(SCHEMA["properties"][section]["properties"]), f"{section}: schema entry missing"


def test_a_missing_setting_is_named(monkeypatch):
    config = {**CONFIG, "claims": {k: v for k, v in CONFIG["claims"].items() if k != "fig05"}}
    with pytest.raises(ValueError, match="figure fig05's claims needs the setting 'min_drop_decades'"):
        settings_for("fig05", "claims", config, config["scales"]["ci"])


def test_a_scale_entry_without_a_figure_module_is_refused():
    scale_cfg = {**CONFIG["scales"]["ci"], "fig42": CONFIG["scales"]["ci"]["fig05"]}
    with pytest.raises(ValueError, match="scales.ci: fig42 has no figure module"):
        plan("ci", scale_cfg)


@pytest.mark.parametrize("fig", list(FIGURES))
def test_a_figure_of_the_paper_has_readings_and_draws_them(fig):
    """Figures 1-10 are the paper's: each has readings of its published image and its drawing marks
    them; a figure beyond the paper has nothing published to compare with."""
    from adamdyn.published import load

    readings = load()
    takes = "published" in inspect.signature(FIGURES[fig].draw).parameters
    if not is_study(fig):
        assert readings.get(fig) and takes, fig
    else:
        assert fig not in readings and not takes, fig


def test_a_variant_changes_what_it_sets_in_every_problem_and_shares_the_other_runs():
    """figNN-v is figNN with ``set`` merged in; a ``problem`` change reaches each runs entry's own
    problem (Fig 10's disk); ``datasets`` swaps a data set; runs with equal settings are shared."""
    base = {**CONFIG["scales"]["ci"]["fig10"], "variants": {
        "x": {"why": "w", "set": {"problem": {"init": "xavier_uniform"}}},
        "d": {"why": "w", "set": {"datasets": {"poisson_disk": "poisson_disk_400"}}}}}
    scale_cfg = {**CONFIG["scales"]["ci"], "fig10": base}
    configs = variant_configs(scale_cfg)
    assert {"fig10", "fig10-x", "fig10-d"} <= set(configs) and "variants" not in configs["fig10-x"]
    x = configs["fig10-x"]
    assert x["problem"]["init"] == "xavier_uniform"
    assert all(e["problem"]["init"] == "xavier_uniform" for e in x["runs"] if "problem" in e)
    assert all("init" not in e.get("problem", {}) for e in configs["fig10"]["runs"])
    d = configs["fig10-d"]
    assert d["problem"]["data"] == "poisson_cube"  # only the swapped set changes
    assert {e["problem"]["data"] for e in d["runs"] if "problem" in e} == {"poisson_disk_400"}
    runs, reads, _ = plan("ci", scale_cfg)
    shared = {n for n, _ in reads["fig10"]} & {n for n, _ in reads["fig10-d"]}
    assert len(shared) == 3 and all("cube" in n for n in shared)  # the cube's runs are trained once
    assert not {n for n, _ in reads["fig10"]} & {n for n, _ in reads["fig10-x"]}


def test_the_calibration_candidates_are_variants_of_any_network_figure():
    """Issue 26's candidate settings as a variant's ``set`` (docs/calibration-design.md): the loss's
    normalisation and N(0, 0.3^2) weights name their runs, and pixels in [0, 1] are a derived data set
    whose preparer is the source's, with ``pixels: unit``."""
    datasets = {**CONFIG["scales"]["ci"]["datasets"],
                "cifar2_unit": {**CONFIG["scales"]["ci"]["datasets"]["cifar2"], "source": "cifar2", "pixels": "unit"}}
    fig07 = {**CONFIG["scales"]["ci"]["fig07"], "variants": {
        "sum": {"why": "w", "set": {"problem": {"loss": "sum_outputs"}}},
        "n03": {"why": "w", "set": {"problem": {"init": "normal", "init_std": 0.3}}},
        "unit": {"why": "w", "set": {"datasets": {"cifar2": "cifar2_unit"}}}}}
    runs, reads, _ = plan("ci", {**CONFIG["scales"]["ci"], "fig07": fig07, "datasets": datasets})
    names = {v: [n for n, _ in reads[f"fig07-{v}"]] for v in ("sum", "n03", "unit")}
    assert all("-sumoutputs_" in n for n in names["sum"]) and all("-n0.3_" in n for n in names["n03"])
    assert all(n.startswith("mlp-cifar2_unit-") for n in names["unit"])
    assert not set(names["sum"]) & {n for n, _ in reads["fig07"]}
    bad = {**fig07, "variants": {"n": {"why": "w", "set": {"problem": {"init": "normal", "std": 0.3}}}}}
    with pytest.raises(ValueError, match="unexpected keyword argument 'std'"):
        plan("ci", {**CONFIG["scales"]["ci"], "fig07": bad})
    no_std = {**fig07, "variants": {"n": {"why": "w", "set": {"problem": {"init": "normal"}}}}}
    with pytest.raises(ValueError, match="init 'normal' needs a positive init_std"):  # at planning, before any job
        plan("ci", {**CONFIG["scales"]["ci"], "fig07": no_std})
    bad_loss = {**fig07, "variants": {"s": {"why": "w", "set": {"problem": {"loss": "sum"}}}}}
    with pytest.raises(ValueError, match="Unknown loss 'sum'"):  # at planning too
        plan("ci", {**CONFIG["scales"]["ci"], "fig07": bad_loss})


def test_a_variant_with_a_bad_name_or_an_unknown_data_set_is_refused():
    fig = CONFIG["scales"]["ci"]["fig05"]
    with pytest.raises(ValueError, match="scales.ci.fig05.variants: the name 'Bad-name'"):
        plan("ci", {**CONFIG["scales"]["ci"], "fig05": {**fig, "variants": {"Bad-name": {"why": "", "set": {}}}}})
    fig10 = {**CONFIG["scales"]["ci"]["fig10"], "variants": {
        "d": {"why": "w", "set": {"datasets": {"poisson_disk": "poisson_disk_big"}}}}}
    with pytest.raises(ValueError, match=r"fig10.variants.d.runs\[3\].problem.data = 'poisson_disk_big' is not a data set"):
        plan("ci", {**CONFIG["scales"]["ci"], "fig10": fig10})
    datasets = {**CONFIG["scales"]["ci"]["datasets"], "bigdisk": {"source": "poisson_disk", "seed": 0}}
    with pytest.raises(ValueError, match="datasets.bigdisk: a data set derived from poisson_disk is named"):
        plan("ci", {**CONFIG["scales"]["ci"], "datasets": datasets})


def test_post_processing_imports_no_torch_and_only_drawing_imports_matplotlib():
    """Statistics, claims, comparison, drawing, provenance and the book read results only: their jobs
    import every figure and study module, and none of them pulls in torch (2-3 s a job); matplotlib and
    seaborn (about 0.5 s a job) come in only when a figure is drawn."""
    code = ("import sys\n"
            "import adamdyn.registry as r\n"
            "[r.figure(f) for f in r.FIGURES]\n"
            "import adamdyn.published, adamdyn.provenance, adamdyn.claims.table, adamdyn.book\n"
            "heavy = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'matplotlib', 'seaborn'})\n"
            "print(heavy())\n"
            "from adamdyn.plotting import style\n"
            "style.subplots()\n"
            "print(heavy())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "['matplotlib', 'seaborn']"], out


def test_the_data_kinds_without_torch_are_the_preparers():
    from adamdyn.data import PREPARERS
    from adamdyn.settings import DATA_KINDS

    assert tuple(PREPARERS) == DATA_KINDS
