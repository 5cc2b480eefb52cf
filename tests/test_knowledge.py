"""Loading and validating the knowledge folder."""

from pathlib import Path

from assistant.knowledge import load_knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


def test_sample_fixture_loads_without_problems():
    knowledge = load_knowledge(FIXTURES)
    assert knowledge.problems == []
    assert sorted(c.id for c in knowledge.courses) == [
        "hr-test-excel",
        "hr-test-solar",
        "hr-test-vilicar",
        "si-test-varjenje",
    ]
    assert [p.id for p in knowledge.pages] == ["si-test-registracija"]


def test_csv_rows_become_courses_with_lists_and_sessions():
    courses = {c.id: c for c in load_knowledge(FIXTURES).courses}
    forklift = courses["hr-test-vilicar"]
    assert [str(s.start) for s in forklift.dates] == ["2026-06-01", "2026-10-05"]
    assert forklift.target_groups == ["employed", "unemployed"]
    assert forklift.cost.amount == 300 and not forklift.free
    assert courses["hr-test-excel"].free and courses["hr-test-excel"].mode == "online"


def test_markdown_body_is_the_description():
    courses = {c.id: c for c in load_knowledge(FIXTURES).courses}
    assert courses["si-test-varjenje"].description.startswith("Tečaj varjenja")


def _course(path: Path, replace: tuple[str, str] | None = None) -> None:
    text = (FIXTURES / "catalogues/si-gorenjska/si-test-varjenje.md").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_bad_value_is_reported_with_file_line_and_field_and_the_rest_loads(tmp_path):
    folder = tmp_path / "catalogues" / "si-gorenjska"
    _course(folder / "bad.md", ("  amount: 0\n", "  amount: zastonj\n"))
    _course(folder / "good.md", ("id: si-test-varjenje", "id: si-test-varjenje-2"))
    knowledge = load_knowledge(tmp_path)
    assert [c.id for c in knowledge.courses] == ["si-test-varjenje-2"]
    assert [str(p) for p in knowledge.problems] == [
        f"{(folder / 'bad.md').as_posix()}:19: cost.amount: Input should be a valid number, "
        "unable to parse string as a number"
    ]


def test_missing_field_and_unknown_region_each_reported(tmp_path):
    path = tmp_path / "catalogues" / "x" / "bad.md"
    _course(path, ("region: si-gorenjska\n", "region: si-nowhere\n"))
    text = path.read_text(encoding="utf-8").replace("duration_hours: 120\n", "")
    path.write_text(text, encoding="utf-8")
    problems = load_knowledge(tmp_path).problems
    fields = {p.field: p for p in problems}
    assert set(fields) == {"region", "duration_hours"}
    assert fields["region"].line == 9 and "unknown region 'si-nowhere'" in fields["region"].message
    assert fields["duration_hours"].message == "is required"


def test_yaml_syntax_error_names_its_line(tmp_path):
    path = tmp_path / "catalogues" / "x" / "broken.md"
    _course(path, ("mode: onsite\n", "mode: [onsite\n"))
    (problem,) = load_knowledge(tmp_path).problems
    assert problem.path.endswith("broken.md") and problem.line in (12, 13) and "YAML" in problem.message


def test_file_without_front_matter(tmp_path):
    path = tmp_path / "guidance" / "sl" / "plain.md"
    path.parent.mkdir(parents=True)
    path.write_text("Just text\n", encoding="utf-8")
    (problem,) = load_knowledge(tmp_path).problems
    assert problem.line == 1 and "front matter" in problem.message


def test_duplicate_id_names_both_files(tmp_path):
    _course(tmp_path / "catalogues" / "a" / "first.md")
    _course(tmp_path / "catalogues" / "b" / "second.md")
    knowledge = load_knowledge(tmp_path)
    assert len(knowledge.courses) == 1
    (problem,) = knowledge.problems
    assert problem.path.endswith("b/second.md") and problem.field == "id"
    assert "duplicate id 'si-test-varjenje'" in problem.message and "a/first.md:2" in problem.message


def test_csv_errors_name_the_row_line(tmp_path):
    source = (FIXTURES / "catalogues/hr-sisak-moslavina/bulk.csv").read_text(encoding="utf-8")
    broken = source.replace(",60,300,EUR,", ",sixty,300,EUR,")
    path = tmp_path / "catalogues" / "hr" / "bulk.csv"
    path.parent.mkdir(parents=True)
    path.write_text(broken, encoding="utf-8")
    knowledge = load_knowledge(tmp_path)
    assert [c.id for c in knowledge.courses] == ["hr-test-excel"]
    (problem,) = knowledge.problems
    assert (problem.line, problem.field) == (3, "duration_hours")


def test_model_rules_onsite_needs_locations_and_dates_or_rolling(tmp_path):
    path = tmp_path / "catalogues" / "x" / "c.md"
    _course(path, ("locations: [Kranj]\n", "locations: []\n"))
    (problem,) = load_knowledge(tmp_path).problems
    assert "needs locations" in problem.message
