# Sourced by the short GPU-machine scripts (experiment, quick-pass, ncu-pass, tune-pass) from the
# repository root: lays the build from the development machine (.device/bundle, made by
# prepare-device.sh) over the tree, unpacks its Node to /tmp/node, and sets the runtime's variables.
[ -d .device/bundle ] && cp -r .device/bundle/. ./
[ -x /tmp/node ] || { xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node; }
export FP8LAB_ROOT=$PWD CUDA_HOME=${CUDA_HOME:-/usr/local/cuda} FP8LAB_JIT_CACHE_DIR=/tmp/fp8lab-jit UV_THREADPOOL_SIZE=16
