FROM continuumio/miniconda3
RUN conda install -y -c conda-forge numpy && conda env create -f environment.yml && conda clean -afy
RUN mamba install -y pandas && micromamba install -y -n base -f env.yaml && micromamba clean --all --yes
