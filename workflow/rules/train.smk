# Training: one job per distinct run of the scale, shared by every figure that reads it.


rule train:
    input:
        data=run_data,
    output:
        history=f"{RESULTS}/runs/{{run}}/history.parquet",
        info=f"{RESULTS}/runs/{{run}}/run.json",
    params:
        python=PYTHON,
        plan=run_plan_json,
        out_dir=f"{RESULTS}/runs/{{run}}",
        checkpoint=f"{RESULTS}/checkpoints/{{run}}.pt",
        data_dir=f"{RESULTS}/data",
        device=config["device"],
        checkpoint_every=run_checkpoint_every,
        progress_every=config["progress_every_s"],
    threads: run_threads
    conda:
        "../../environment.yml"
    log:
        f"{RESULTS}/logs/train/{{run}}.log",
    shell:
        "{params.python:q} scripts/train.py --plan {params.plan:q} --out-dir {params.out_dir:q}"
        " --checkpoint {params.checkpoint:q} --threads {threads} --device {params.device}"
        " --data-dir {params.data_dir:q}"
        " --checkpoint-every {params.checkpoint_every} --progress-every {params.progress_every}"
        " > {log:q} 2>&1"


# Fig 8: one job per block of (a, b) cells, all trained at once (adamdyn.batched).
rule train_block:
    input:
        data=block_data,
    output:
        history=f"{RESULTS}/{PHASE_FIGURE}/{{block}}/history.parquet",
        info=f"{RESULTS}/{PHASE_FIGURE}/{{block}}/run.json",
    params:
        python=PYTHON,
        plan=block_plan_json,
        out_dir=f"{RESULTS}/{PHASE_FIGURE}/{{block}}",
        checkpoint=f"{RESULTS}/checkpoints/{PHASE_FIGURE}_{{block}}.pt",
        data_dir=f"{RESULTS}/data",
        device=config["device"],
        checkpoint_every=config["checkpoint_every"],
        progress_every=config["progress_every_s"],
    threads: block_threads
    conda:
        "../../environment.yml"
    log:
        f"{RESULTS}/logs/train/{PHASE_FIGURE}_{{block}}.log",
    shell:
        "{params.python:q} scripts/train_block.py --plan {params.plan:q} --out-dir {params.out_dir:q}"
        " --checkpoint {params.checkpoint:q} --threads {threads} --device {params.device}"
        " --data-dir {params.data_dir:q}"
        " --checkpoint-every {params.checkpoint_every} --progress-every {params.progress_every}"
        " > {log:q} 2>&1"
