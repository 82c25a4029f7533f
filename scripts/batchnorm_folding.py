"""Folds a network's inference-mode batch norms into the convolutions before them, for export-torchscript.py.

In eval mode a BatchNorm2d is a per-channel scale and shift, which the convolution whose output it reads can take
into its own weights and bias. The archive then runs one kernel where it ran two, in every optimisation step and
every dataset batch (the atlas folds its zoo models' batch norms the same way). Which batch norm reads which
convolution is found by running the network once, not by reading its code: a pair counts only where the batch norm's
input is the very tensor the convolution returned, and each runs once. The caller checks the folded network's outputs
against the original's, which catches what this cannot see (an in-place operation on the tensor in between, or
another reader of the convolution's output).
"""
import copy

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_weights


def _is_norm(module):
    """A BatchNorm2d, or torchvision's FrozenBatchNorm2d (detection backbones' fixed batch norm, known by name so that
    torchvision need not be installed): the same per-channel scale and shift, with running statistics."""
    return type(module) is nn.BatchNorm2d or type(module).__name__ == "FrozenBatchNorm2d"


def conv_batchnorm_pairs(network, example, keep):
    """(convolution name, batch norm name) for each batch norm that reads a Conv2d's output in a forward of example.
    Modules named in keep (those whose own outputs the archive returns) are left as they are."""
    modules = dict(network.named_modules())
    produced = {}  # id of a convolution's output -> the convolution's name
    alive = []  # the outputs themselves, so that no id is reused while the forward runs
    calls = {}
    reads = {}

    def after_conv(name):
        def hook(_module, _inputs, output):
            calls[name] = calls.get(name, 0) + 1
            produced[id(output)] = name
            alive.append(output)
        return hook

    def before_norm(name):
        def hook(_module, inputs):
            calls[name] = calls.get(name, 0) + 1
            reads[name] = produced.get(id(inputs[0]))
        return hook

    handles = []
    for name, module in modules.items():
        if type(module) is nn.Conv2d:
            handles.append(module.register_forward_hook(after_conv(name)))
        elif _is_norm(module):
            handles.append(module.register_forward_pre_hook(before_norm(name)))
    try:
        with torch.no_grad():
            network(example)
    finally:
        for handle in handles:
            handle.remove()
    pairs = []
    for norm_name, conv_name in reads.items():
        if conv_name is None or {conv_name, norm_name} & keep or calls[conv_name] != 1 or calls[norm_name] != 1:
            continue
        norm = modules[norm_name]
        # Without running statistics a batch norm normalizes each batch by its own, which no fixed weights can do.
        if norm.training or getattr(norm, "running_mean", None) is None \
                or modules[conv_name].out_channels != norm.running_mean.numel():
            continue
        pairs.append((conv_name, norm_name))
    return pairs


def fold(network, pairs):
    """A copy of network with each pair's batch norm folded into its convolution and replaced by nn.Identity under
    the same name, so that output names, hooks and parameter paths still find the modules they name."""
    folded = copy.deepcopy(network)
    modules = dict(folded.named_modules())
    for conv_name, norm_name in pairs:
        conv, norm = modules[conv_name], modules[norm_name]
        conv.weight, conv.bias = fuse_conv_bn_weights(conv.weight, conv.bias, norm.running_mean, norm.running_var,
                                                      norm.eps, norm.weight, norm.bias)
        parent, _, leaf = norm_name.rpartition(".")
        setattr(modules[parent], leaf, nn.Identity())
    return folded


def same_outputs(expected, actual):
    """Whether two forwards' outputs agree to float rounding, each relative to its own largest value."""
    return all(torch.is_tensor(e) and torch.is_tensor(a) and e.shape == a.shape and
               float((e - a).abs().max()) <= 1e-4 * float(e.abs().max()) + 1e-6
               for e, a in zip(expected, actual))
