# The calibration study (issue 26; docs/calibration-design.md): each candidate's figures are variants
# figNN-cal_<candidate> (adamdyn.calibration), compared with the published figures like any figure;
# this rule scores them on the two halves of the readings (adamdyn.published.calibration).


rule calibration:
    input:
        compare=calibration_compares,
        map=calibration_map,
        code=package_code("published/calibration.py", "calibration.py"),
    output:
        readings=f"{RESULTS}/calibration/readings.csv",
        table=f"{RESULTS}/calibration/table.csv",
        decision=f"{RESULTS}/calibration/decision.json",
        page=f"{RESULTS}/calibration/calibration.md",
    params:
        python=PYTHON,
        spec=calibration_spec,
        out=lambda w, output: str(Path(output.table).parent),
    localrule: True
    log:
        f"{RESULTS}/logs/calibration.log",
    shell:
        "{params.python:q} scripts/calibration.py --spec {params.spec:q} --out {params.out:q} > {log:q} 2>&1"


# docs/calibration.md: the study's page of this scale (the repository shows the cpu scale's).
rule docs_calibration:
    input:
        rules.calibration.output.page,
    output:
        "docs/calibration.md",
    localrule: True
    log:
        f"{RESULTS}/logs/docs_calibration.log",
    shell:
        "cp {input:q} {output:q} > {log:q} 2>&1"
