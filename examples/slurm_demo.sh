#!/bin/bash
# Written by ph-slurm from /path/to/phrosty-c/examples/objects.csv: one task per object.
#SBATCH --job-name=ph-pipeline
#SBATCH --array=0-0
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=00:20:00
#SBATCH --output=/path/to/phrosty-c/demo/ph-slurm-%A_%a.out
set -u
# log lines with a timestamp and a level, as phrosty's (grep WARNING, ERROR)
export PH_LOG_FORMAT=${PH_LOG_FORMAT:-phrosty}
cd /path/to/phrosty-c/demo || exit 1
export PATH=/path/to/phrosty-c/bin:$PATH
objects=(
  20172782\ 7.551093401915147\ -44.80718106491529\ Y106\ /path/to/phrosty-c/examples/20172782_instances_templates.csv\ /path/to/phrosty-c/examples/20172782_instances_science.csv
)
read -r oid ra dec band tlist slist <<< "${objects[$SLURM_ARRAY_TASK_ID]}"
echo "ph-slurm: task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname): $oid $band"
exec /path/to/phrosty-c/bin/ph-pipeline -c /path/to/phrosty-c/demo/config.yaml --oid "$oid" -r "$ra" -d "$dec" -b "$band" -t "$tlist" -s "$slist" -p 4 -v
