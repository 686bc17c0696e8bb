"""Analysis choices as parameters (issue #14, item 5): evalkit.analyse.choices, the results
made with them (evalkit.run.stages), the regional report that reads them, the CLI options,
the reports' run keys; and figure numbers keyed by name (present.report / synthesis)."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats
from typer.testing import CliRunner

from evalkit.analyse import results
from evalkit.analyse.choices import DEFAULT_CHOICES, AnalysisChoices, index_weight_names
from evalkit.core.errors import EvalkitError
from evalkit.measure import effectiveness
from evalkit.present import figures as plots
from evalkit.present import report, synthesis
from evalkit.present.i18n import ReportLang, level_text, text
from evalkit.read import products
from evalkit.read.regions import get_region
from evalkit.run import batch, stages
from evalkit.run.cli import app

runner = CliRunner()
NINETY = AnalysisChoices(ci_level=0.9)


# --- the choices themselves ----------------------------------------------------------------

@pytest.mark.parametrize("level", [0.5, 1.0, 0.3, 1.2, "0.9", True, float("nan")])
def test_a_level_outside_one_half_to_one_is_refused(level):
    with pytest.raises(ValueError, match=r"ci_level must be a confidence level strictly "
                                         r"between 0\.5 and 1.*got"):
        AnalysisChoices(ci_level=level)


@pytest.mark.parametrize("n_boot", [99, 100_001, 2.5, 2000.0, True, "2000"])
def test_n_boot_must_be_a_whole_number_in_range(n_boot):
    with pytest.raises(ValueError, match=r"n_boot must be a whole number .* from 100 to 100000"):
        AnalysisChoices(n_boot=n_boot)


def test_an_unknown_weighting_names_the_scenarios():
    with pytest.raises(ValueError, match=r"index_weights must name a weighting scenario, one "
                                         r"of baseline, equal, drop:process.*got 'heavy'"):
        AnalysisChoices(index_weights="heavy")
    assert set(index_weight_names()) == set(effectiveness.scenario_names())


@pytest.mark.parametrize("sector", ["", "  ", 3])
def test_a_reference_sector_must_be_a_code(sector):
    with pytest.raises(ValueError, match="reference_sector must be a sector code"):
        AnalysisChoices(reference_sector=sector)


def test_a_reference_sector_the_programme_lacks_names_the_valid_codes():
    sectors = pd.DataFrame({"sector": ["pemerintah", "media"]})
    assert AnalysisChoices(reference_sector="media").validate(sectors).reference_sector == "media"
    with pytest.raises(ValueError, match=r"reference_sector 'ngo' is not a sector of this "
                                         r"programme; the sector codes are pemerintah, media\."):
        AnalysisChoices(reference_sector="ngo").validate(sectors)


def test_the_record_and_the_folder_of_the_choices():
    assert DEFAULT_CHOICES == AnalysisChoices() and AnalysisChoices().is_default
    assert AnalysisChoices().folder is None  # the default results folder itself
    assert DEFAULT_CHOICES.to_dict() == {"ci_level": 0.95, "reference_sector": None,
                                         "n_boot": 2000, "index_weights": "baseline"}
    assert DEFAULT_CHOICES.model_draws == 500  # today's ICC and effect-size draws
    assert NINETY.folder == AnalysisChoices(ci_level=0.90).folder  # same choices, same folder
    assert NINETY.folder.startswith("choices-") and NINETY.folder != AnalysisChoices(
        ci_level=0.9, n_boot=1000).folder
    assert AnalysisChoices.from_parameters(reference_sector="").reference_sector is None
    assert json.loads(json.dumps(NINETY.to_dict())) == NINETY.to_dict()


def test_a_weighting_scenario_is_the_spec_weight_scenarios_uses():
    spec = effectiveness.DEFAULT_SPEC
    assert effectiveness.scenario_spec("baseline", spec) == spec
    dropped = AnalysisChoices(index_weights="drop:outcome").index_spec(spec)
    assert dropped.pillar_weights == {"process": 1.0, "engagement": 1.0, "outcome": 0.0}
    assert AnalysisChoices(index_weights="geometric").index_spec(spec).aggregation == "geometric"
    with pytest.raises(ValueError, match="unknown weighting scenario 'x'"):
        effectiveness.scenario_spec("x", spec)


# --- the results they make ---------------------------------------------------------------------

def test_the_default_choices_reproduce_todays_results(processed_dir):
    stages.ensure_results(processed_dir)  # without choices, by this code (current: kept)
    assert stages.results_current(processed_dir, AnalysisChoices())  # the same stamp
    assert stages.ensure_results(processed_dir, choices=AnalysisChoices()) is False
    inputs = stages.read_inputs(processed_dir)
    explicit = results.compute_results(**inputs, choices=AnalysisChoices())
    stamp = products.read_results_stamp(processed_dir)
    assert sorted(explicit) == stamp["tables"]
    for name, table in explicit.items():  # byte for byte: the saved parquet files
        path = products.results_dir(processed_dir) / f"{name}.parquet"
        fresh = products.results_dir(processed_dir).parent / f".choices-{name}.parquet"
        try:
            table.to_parquet(fresh, index=False)
            assert fresh.read_bytes() == path.read_bytes(), name
        finally:
            fresh.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def ninety(processed_dir, tmp_path_factory):
    """A copy of the processed data (default results included) with the results of a 90%
    level computed beside them."""
    copy = tmp_path_factory.mktemp("choices") / "processed"
    shutil.copytree(processed_dir, copy)
    default_stamp = (copy / "results" / stages.STAMP).read_bytes()
    assert stages.ensure_results(copy, choices=NINETY) is True
    return SimpleNamespace(folder=copy, default_stamp=default_stamp)


def test_other_choices_have_their_own_folder_and_both_stay_current(ninety):
    folder = stages.choices_dir(ninety.folder, NINETY)
    assert folder == ninety.folder / "results" / NINETY.folder
    assert (ninety.folder / "results" / stages.STAMP).read_bytes() == ninety.default_stamp
    assert stages.results_current(ninety.folder) and stages.results_current(ninety.folder, NINETY)
    assert not stages.results_current(ninety.folder, AnalysisChoices(ci_level=0.8))
    stamp = products.read_results_stamp(ninety.folder, subfolder=NINETY.folder)
    assert stamp["choices"] == NINETY.to_dict()
    assert products.read_results_stamp(ninety.folder)["choices"] == DEFAULT_CHOICES.to_dict()
    assert stages.ensure_results(ninety.folder, choices=NINETY) is False  # current
    assert stages.ensure_choices(ninety.folder, NINETY) is False
    assert stages.ensure_choices(ninety.folder, None) is False  # the defaults: evalkit run's


def test_a_90_percent_level_narrows_the_intervals_by_the_t_quantile_ratio(ninety):
    wide = products.read_result("benchmark", ninety.folder)
    narrow = products.read_result("benchmark", ninety.folder, subfolder=NINETY.folder)
    pd.testing.assert_series_equal(narrow["estimate"], wide["estimate"])
    df = wide["nobs"].to_numpy() - 1  # a mean's t interval: est +- t(df) se
    ratio = (narrow["ci_upp"] - narrow["estimate"]) / (wide["ci_upp"] - wide["estimate"])
    expected = stats.t.ppf(0.95, df) / stats.t.ppf(0.975, df)  # scipy's t quantiles
    assert ratio.to_numpy() == pytest.approx(expected, rel=1e-9)
    assert narrow["ci_low"].to_numpy() == pytest.approx(
        (narrow["estimate"] - stats.t.ppf(0.95, df) * narrow["se"]).to_numpy(), rel=1e-12)
    # the index's percentile interval: the same 2000 replicates, a 90% window inside the 95%
    idx95 = products.read_result("index", ninety.folder).set_index("region_code")
    idx90 = products.read_result("index", ninety.folder, subfolder=NINETY.folder).set_index(
        "region_code")
    ranked = idx95["index"].notna()
    pd.testing.assert_series_equal(idx90["index"], idx95["index"])
    assert (idx90.loc[ranked, "ci_low"] >= idx95.loc[ranked, "ci_low"]).all()
    assert (idx90.loc[ranked, "ci_upp"] <= idx95.loc[ranked, "ci_upp"]).all()
    assert ((idx90["ci_upp"] - idx90["ci_low"])[ranked]
            < (idx95["ci_upp"] - idx95["ci_low"])[ranked]).all()


def test_the_report_reads_the_choices_results_and_states_their_level(ninety):
    region = "15.71"
    rep = report.load_region_report(region, "en", ninety.folder, choices=NINETY)
    default = report.load_region_report(region, "en", ninety.folder)
    assert rep.choices == NINETY and default.choices == DEFAULT_CHOICES
    own = products.read_result("region_health", ninety.folder, subfolder=NINETY.folder)
    pd.testing.assert_frame_equal(
        rep.health.reset_index(drop=True),
        own[own["region_code"] == region].drop(columns="region_code").reset_index(drop=True))
    assert "90% CI" in report.health_table(rep).columns
    assert "95% CI" in report.health_table(default).columns
    assert "(90% bootstrap CI" in report.index_text(rep)
    assert "(95% bootstrap CI" in report.index_text(default)
    prov = report.provenance_table(rep, region_code=region, lang="en").set_index("Item")["Value"]
    assert prov["Analysis choices"] == (
        "ci_level = 90%, reference_sector = default rule (largest civil-society sector), "
        "n_boot = 2000, index_weights = baseline (default weights) (changed from the defaults)")
    prov = report.provenance_table(default, region_code=region, lang="en").set_index("Item")
    assert prov.loc["Analysis choices", "Value"].startswith("ci_level = 95%, ")
    assert prov.loc["Analysis choices", "Value"].endswith("(evalkit's defaults)")


def test_the_report_says_which_choices_results_are_missing(processed_dir, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(processed_dir, copy)
    with pytest.raises(EvalkitError, match=r"no cross-region result .*choices-.*evalkit run"):
        report.load_region_report("15.71", "en", copy, choices=AnalysisChoices(ci_level=0.8))


def test_an_unknown_reference_sector_stops_before_anything_is_written(processed_dir, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(processed_dir, copy)
    choices = AnalysisChoices(reference_sector="ngo")
    with pytest.raises(ValueError, match=r"'ngo' is not a sector .* pemerintah, dunia_usaha"):
        stages.ensure_results(copy, choices=choices)
    assert not stages.choices_dir(copy, choices).exists()
    with pytest.raises(ValueError, match=r"'ngo' is not a sector"):
        results.compute_results(**stages.read_inputs(copy), choices=choices)


def test_wording_follows_the_level_and_never_changes_a_value():
    assert text("col_ci", ReportLang("en", 0.9)) == "90% CI"
    assert text("col_ci", ReportLang("id", 0.975)) == "IK 97,5%"
    assert text("col_ci", ReportLang("en")) == text("col_ci", "en") == "95% CI"
    assert ReportLang("en", 0.9) == "en" and {"en": 1}[ReportLang("en", 0.9)] == 1
    filled = text("fig_index_near", ReportLang("en", 0.9), k="95%", n=3)  # a value "95%"
    assert "95%" in filled and "90% bootstrap" in filled
    assert level_text(0.9, "id") == "90%" and level_text(0.995, "en") == "99.5%"


# --- the CLI and the reports' run keys ------------------------------------------------------

def test_the_cli_refuses_a_choice_out_of_range_in_one_line(processed_dir, raw_dir, tmp_path):
    for option, value, words in (("--ci-level", "1.5", "--ci-level must be a confidence level"),
                                 ("--n-boot", "10", "--n-boot must be a whole number"),
                                 ("--index-weights", "heavy", "--index-weights must name")):
        result = runner.invoke(app, ["run", option, value, "--raw-dir", str(raw_dir),
                                     "--processed-dir", str(processed_dir),
                                     "--reports-dir", str(tmp_path)])
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, result.output
        assert lines[0].startswith(f"error: {words}") and "Traceback" not in result.output


def test_the_cli_passes_the_choices_to_the_batch(processed_dir, raw_dir, tmp_path, monkeypatch,
                                                 test_key):
    monkeypatch.setenv("EVALKIT_PSEUDONYM_KEY", test_key.decode())
    seen = []

    def stop(regions, **kwargs):  # the reports themselves are not this test's business
        seen.append(kwargs.get("choices"))
        raise EvalkitError("stopped here")

    monkeypatch.setattr(batch, "run_reports", stop)
    args = ["--raw-dir", str(raw_dir), "--processed-dir", str(processed_dir),
            "--reports-dir", str(tmp_path), "--lang", "en"]
    result = runner.invoke(app, ["run", "--ci-level", "0.9", "--reference-sector", "pemerintah",
                                 "--n-boot", "1000", "--index-weights", "equal", *args])
    assert result.output.strip().splitlines()[-1] == "error: stopped here", result.output
    assert seen == [AnalysisChoices(ci_level=0.9, reference_sector="pemerintah", n_boot=1000,
                                    index_weights="equal")]
    result = runner.invoke(app, ["run", *args])
    assert seen[-1] is None  # no option: the defaults, as before
    result = runner.invoke(app, ["run", "--reference-sector", "ngo", *args])
    assert result.exit_code == 2 and len(seen) == 2, result.output
    assert result.output.strip() == (
        "error: --reference-sector 'ngo' is not a sector of this programme; the sector codes "
        "are pemerintah, dunia_usaha, akademisi, masyarakat_sipil, media.")


def test_the_choices_are_parameters_of_the_regional_reports_and_part_of_their_key(ninety,
                                                                                   tmp_path):
    region = get_region("15.71")
    assert batch.region_parameters(region, "en", ninety.folder, DEFAULT_CHOICES) == \
        batch.region_parameters(region, "en", ninety.folder)  # the defaults: as before
    params = batch.region_parameters(region, "en", ninety.folder, NINETY)
    assert {k: params[k] for k in ("ci_level", "reference_sector", "n_boot", "index_weights")} \
        == {"ci_level": 0.9, "reference_sector": "", "n_boot": 2000, "index_weights": "baseline"}

    def keys(choices):
        tasks = batch.plan([region], ("en",), tmp_path, ninety.folder, choices=choices)
        return {t.stem: t.key for t in tasks}

    default, again, other = keys(None), keys(NINETY), keys(NINETY)
    assert again == other  # the same choices: the same keys (a report is skipped)
    stem = batch.report_stem(region, "en")
    assert again[stem] != default[stem]  # other choices: the report is rerun
    synthesis_stem = batch.synthesis_stem("en")
    assert again[synthesis_stem] == default[synthesis_stem]  # the synthesis reads the defaults
    source = batch.plan([region], ("en",), tmp_path, ninety.folder, choices=NINETY)[0].made_from
    assert source["results"] == batch.results_digest(ninety.folder, NINETY)
    assert source["results"] != batch.results_digest(ninety.folder)


@pytest.mark.slow
@pytest.mark.kernel
def test_a_report_is_skipped_with_the_same_choices_and_rerun_with_others(ninety, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(ninety.folder, processed)
    reports = tmp_path / "reports"
    run = dict(langs=("en",), reports_dir=reports, processed_dir=processed, synthesis=False)
    region = get_region("96.02")
    html = reports / f"{batch.report_stem(region, 'en')}.html"
    first = batch.run_reports([region], choices=NINETY, **run)
    assert [(r.ok, r.skipped) for r in first] == [(True, False)], first[0].error
    page = html.read_text(encoding="utf-8")
    assert "ci_level = 90%" in page and "90% CI" in page and "95% CI" not in page
    again = batch.run_reports([region], choices=NINETY, **run)
    assert [(r.ok, r.skipped) for r in again] == [(True, True)]
    default = batch.run_reports([region], **run)
    assert [(r.ok, r.skipped) for r in default] == [(True, False)], default[0].error
    page = html.read_text(encoding="utf-8")
    assert "ci_level = 95%" in page and "90% CI" not in page


# --- figure numbers keyed by name ------------------------------------------------------------

def _fig() -> Figure:
    figure = Figure(figsize=(1, 1))
    figure.subplots()
    return figure


def _number(html) -> str:
    caption = html.data.split("<figcaption", 1)[1]
    return caption.split("<b>", 1)[1].split("</b>", 1)[0]


def test_a_figure_drawn_again_keeps_its_number():
    rep = SimpleNamespace(figures={}, lang="en")
    assert _number(report.figure(_fig(), "fig_health", rep)) == "Figure 1."
    assert _number(report.figure(_fig(), "fig_health", rep)) == "Figure 1."  # the cell re-run
    assert _number(report.figure(_fig(), "fig_attendance", rep)) == "Figure 2."
    assert _number(report.figure(_fig(), "fig_health", rep)) == "Figure 1."
    assert report.figure(None, "fig_network", rep) is None and len(rep.figures) == 2


def test_a_report_without_a_figure_numbers_the_rest_consecutively():
    rep = SimpleNamespace(figures={}, lang="id")  # no register: no power/interest map
    calls = [("fig_health", {}), ("fig_likert_even", {"below": "a", "above": "b"}),
             ("fig_outcomes", {}), ("fig_index_near", {"k": 10, "n": 30})]
    numbers = [_number(report.figure(_fig(), key, rep, **values)) for key, values in calls]
    assert numbers == ["Gambar 1.", "Gambar 2.", "Gambar 3.", "Gambar 4."]
    # the same figure under another caption key keeps its place
    assert _number(report.figure(_fig(), "fig_index", rep)) == "Gambar 4."


def test_figure_numbers_follow_the_declared_order_not_the_calls():
    order = report.FIGURE_ORDER
    drawn = {}
    assert plots.figure_number(drawn, order, "fig_change") == 1
    assert plots.figure_number(drawn, order, "fig_power_interest") == 1  # declared first
    assert plots.figure_number(drawn, order, "fig_change_suppressed") == 2
    assert plots.figure_number(drawn, order, "my_own_figure") == 3  # undeclared: after them
    assert plots.figure_number(drawn, order, "fig_health") == 2
    assert plots.figure_number(drawn, order, "my_own_figure") == 4


def test_the_synthesis_numbers_its_figures_by_name_and_part():
    syn = SimpleNamespace(figures={}, lang="en")
    first = [_number(synthesis.figure(_fig(), "fig_pretrend", syn, part=i)) for i in range(3)]
    assert first == ["Figure 1.", "Figure 2.", "Figure 3."]
    assert _number(synthesis.figure(_fig(), "fig_caterpillar_extremes", syn, k=5, n=40)
                   ) == "Figure 1."
    again = [_number(synthesis.figure(_fig(), "fig_pretrend", syn, part=i)) for i in range(3)]
    assert again == ["Figure 2.", "Figure 3.", "Figure 4."]
    assert _number(synthesis.figure(_fig(), "fig_index_trajectory", syn)) == "Figure 5."
