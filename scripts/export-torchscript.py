#!/usr/bin/env python3
"""Exports a PyTorch network the atlas's model zoo does not have as a TorchScript archive it can read.

The atlas reads a TorchScript module's layers from what its forward returns. This script wraps your network so
that its forward returns the outputs of the modules you name (in that order) and then the network's own output
(its logits), traces it, checks the archive against the eager network, and prints the config's "model" section.

    python3 scripts/export-torchscript.py mypackage.nets:Net --weights net.pth \\
        --outputs conv1,layer1,layer2 --input-size 64 --out net-atlas.pt

MODEL is "module:callable": a class or function that returns the network, importable from the current folder or
your PYTHONPATH (for example torchvision.models:resnet18, or mynet:Net for mynet.py here). --kwargs passes it
JSON arguments. --weights is a state dict saved with torch.save (a training checkpoint that holds one under
"state_dict", "model_state_dict" or "model" works too, a Lightning .ckpt among them; the prefix the network's keys
were saved under, such as DataParallel's "module.", torch.compile's "_orig_mod." or a Lightning module's "model.",
is found and dropped).

Output names are module paths as model.named_modules() lists them. A module that runs more than once per forward
(torchvision's ResNet blocks reuse one ReLU) is refused: name its block instead. Each output is copied as the
module returns it, so a later in-place ReLU cannot change it. Tracing records one path through the forward:
networks whose forward branches on the data are not supported by it.

The archive also gets one method per named module that runs the network only up to that module
(atlas_upto_0, atlas_upto_1, …, listed in the archive's extra file atlas.json), so that the atlas renders an
early layer without paying for the rest of the network. They are traced by stopping the forward with an exception
raised right after the module; --no-stops leaves them out (for a forward that catches exceptions itself).
It also gets, for each two neighbouring layers, a linearized path (atlas_linear_0, …): the network with its ReLUs
as the identity and its max-pools as average pools, from the first layer's output, replaced by an argument, to the
second. The atlas's circuits are their gradients. ReLUs and max-pools are replaced as modules (nn.ReLU, nn.ReLU6,
nn.LeakyReLU, nn.Hardswish, nn.MaxPool2d) and as the calls F.relu, F.relu6, F.leaky_relu, torch.relu, x.relu(),
F.max_pool2d and torch.max_pool2d (their in-place forms too, and these functions under other names in the modules that
define the network's classes, say after `from torch.nn.functional import relu`) while the paths are traced;
torchvision's squeeze-and-excitation blocks (MobileNetV3's) pass their input on, their gate counted as 1. A ReLU reached another
way (a lambda, a function kept in an attribute, torch.clamp) stays, and the atlas then refuses that path. A network
whose paths cannot be traced is exported without them, with a warning.

Each batch norm (BatchNorm2d, or torchvision's FrozenBatchNorm2d) that reads nothing but a convolution's output is
folded into that convolution (its weights and bias take the norm's scale and shift, and the norm becomes an identity
under the same name), so the archive runs one kernel where the network ran two; a convolution or batch norm named in
--outputs or --pre-activations keeps its own. The folded network's outputs are checked against the network's, and a
batch norm whose folding would change them (an in-place operation or another reader in between) is kept, with a
warning that names it. --keep-batchnorm leaves every batch norm as it is.
"""
import argparse
import contextlib
import importlib
import inspect
import io
import json
import os
import sys
import types
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

import archive_file
import batchnorm_folding
import export_arguments
from export_errors import describe, fail


def keyword_arguments(text):
    """--kwargs as the dict the callable is called with."""
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"--kwargs: '{text}' is not JSON ({e.msg} at character {e.pos})")
    if not isinstance(kwargs, dict):
        fail(f"--kwargs: must be a JSON object of keyword arguments (for example '{{\"classes\": 4}}'), not {type(kwargs).__name__}")
    return kwargs


def build(spec, kwargs):
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        fail(f"MODEL: '{spec}' is not module:callable (for example torchvision.models:resnet18)")
    sys.path.insert(0, ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        fail(f"MODEL: cannot import '{spec}' ({e})")
    except Exception as e:  # the user's module itself fails: a syntax error, or an exception while it runs
        fail(f"MODEL: importing '{module_name}' failed: {describe(e)}")
    try:
        factory = getattr(module, attribute)
    except AttributeError as e:
        fail(f"MODEL: cannot import '{spec}' ({e})")
    if not callable(factory):
        fail(f"MODEL: '{spec}' is {type(factory).__name__}, not a class or function that returns the network")
    try:
        network = factory(**kwargs)
    except Exception as e:
        hint = " (--kwargs passes its arguments, as a JSON object)" if isinstance(e, TypeError) else ""
        fail(f"MODEL: calling '{spec}' failed: {describe(e)}{hint}")
    if not isinstance(network, nn.Module):
        fail(f"MODEL: '{spec}' returned {type(network).__name__}, not a torch.nn.Module")
    return network


def load_weights(network, path, entry=None, prefix=None):
    try:
        # torch.load warns before it loads a TorchScript archive; that case is refused below in one line.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*looks like a TorchScript archive")
            state = torch.load(path, map_location="cpu")
    except Exception as e:  # a missing file, a corrupt archive, or (PyTorch >= 2.6) a pickled object weights_only refuses
        fail(f"--weights: cannot read '{path}' ({' '.join(str(e).split())[:300]})")
    if entry is not None:
        if not isinstance(state, dict) or not isinstance(state.get(entry), dict):
            held = sorted(k for k, v in state.items() if isinstance(v, dict)) if isinstance(state, dict) else []
            fail(f"--weights-entry: '{path}' has no state dict under '{entry}' (entries holding dicts: {', '.join(map(str, held)) or 'none'})")
        state = state[entry]
    elif isinstance(state, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if isinstance(state, torch.jit.ScriptModule):
        fail(f"--weights: '{path}' is a TorchScript archive, not a state dict (the atlas reads an archive itself: "
             "model.checkpoint with architecture torchscript)")
    if not isinstance(state, dict):
        fail(f"--weights: '{path}' holds {type(state).__name__}, not a state dict")
    odd = [k for k in state if not isinstance(k, str)]
    if odd:
        fail(f"--weights: '{path}' is no state dict: {len(odd)} of its keys {'is' if len(odd) == 1 else 'are'} not a parameter name ({', '.join(map(repr, odd[:5]))})")
    if prefix is None:
        state = _under_prefix(network, state, path)
    else:
        if prefix and not any(isinstance(k, str) and k.startswith(prefix) for k in state):
            fail(f"--weights-prefix: no key of '{path}' starts with '{prefix}'")
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    try:
        network.load_state_dict(state, strict=True)
    except Exception as e:
        fail(f"--weights: '{path}' does not fit the network ({_misfit(network, state) or ' '.join(str(e).split())[:400]})")


def _misfit(network, state):
    """What differs between a state dict and the network, counted, with the first few of each: PyTorch's own message
    lists every key, and one cut short names only the missing ones of a checkpoint of another network."""
    own = network.state_dict()
    needed = [k for k in own if not k.endswith("num_batches_tracked")]  # load_state_dict fills these in itself
    missing = [k for k in needed if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k}: {'×'.join(map(str, state[k].shape))} here, {'×'.join(map(str, own[k].shape))} in the network"
              for k in own if k in state and torch.is_tensor(state[k]) and state[k].shape != own[k].shape]

    def few(keys):
        return ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
    parts = ([f"{len(missing)} of the network's {len(needed)} keys missing ({few(missing)})"] if missing else []) + \
            ([f"{len(unexpected)} key{'s' if len(unexpected) != 1 else ''} the network does not have ({few(unexpected)})"] if unexpected else []) + \
            ([f"{len(shapes)} of another shape ({few(shapes)})"] if shapes else [])
    classes = _class_count(network, state) if shapes and not missing and not unexpected else None
    if classes is not None:
        argument = _class_argument(network)
        parts.append(f"another class count? pass it to the constructor: --kwargs '{{\"{argument}\": {classes}}}'" if argument
                     else f"another class count? pass {classes} to the constructor with --kwargs")
    return "; ".join(parts)


def _class_argument(network):
    """The name the network's class takes its class count under, where it uses a common one."""
    try:
        parameters = inspect.signature(type(network).__init__).parameters
    except (TypeError, ValueError):
        return None
    return next((name for name in ("num_classes", "classes", "n_classes", "nclasses") if name in parameters), None)


def _class_count(network, state):
    """The rows the checkpoint's last layer has, where that is all that differs: the network was built for another class
    count (a torchvision constructor's num_classes), which --kwargs passes on."""
    own = network.state_dict()
    differing = [k for k in own if k in state and torch.is_tensor(state[k]) and state[k].shape != own[k].shape]
    last = [k for k in own if not k.endswith("num_batches_tracked")][-2:]
    rows = {state[k].shape[0] for k in differing if state[k].dim() >= 1}
    if set(differing) <= set(last) and len(rows) == 1 and all(state[k].shape[1:] == own[k].shape[1:] for k in differing):
        return rows.pop()
    return None


def _under_prefix(network, state, path):
    """The state dict's entries under the prefix a trainer saved the network under (DataParallel's "module.",
    torch.compile's "_orig_mod.", a Lightning module's "model.", ...), with the prefix removed: the one prefix under
    which every key of the network is found. Entries outside it (a loss's weights) are left out, and said so.
    With no such prefix the state is returned as it is, for load_state_dict to say what does not fit."""
    needed = [k for k in network.state_dict() if not k.endswith("num_batches_tracked")]
    if not needed or all(k in state for k in needed):
        return state
    first = needed[0]
    prefixes = {k[:-len(first)] for k in state if isinstance(k, str) and k.endswith("." + first)}
    fits = sorted(p for p in prefixes if all(p + k in state for k in needed))
    if len(fits) > 1:
        fail(f"--weights: '{path}' holds the whole network under {len(fits)} prefixes ({', '.join(repr(p) for p in fits)}), "
             "so which to load is ambiguous; name one with --weights-prefix")
    if not fits:
        return state
    prefix = fits[0]
    outside = [k for k in state if not k.startswith(prefix)]
    if outside:
        print(f"note: loaded the weights under '{prefix}'; left out {len(outside)} key{'s' if len(outside) != 1 else ''} "
              f"outside it ({', '.join(outside[:5])}{', ...' if len(outside) > 5 else ''})", file=sys.stderr)
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


class _StopForward(Exception):
    """Raised by a hook to end the forward right after the module an early stop ends at."""


def _identity(x, *_args, **_kwargs):
    return x


def _average_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """max_pool2d's signature; the average of the same window (dilated or index-returning pools are left as they are)."""
    if return_indices or dilation not in (1, (1, 1), [1, 1]):
        return _ORIGINAL_MAX_POOL(x, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=return_indices)
    return F.avg_pool2d(x, kernel_size, stride or kernel_size, padding, ceil_mode, count_include_pad=False)


_ORIGINAL_MAX_POOL = F.max_pool2d


def _squeeze_excitation_types():
    """torchvision's squeeze-and-excitation block, where torchvision is installed (the script does not need it)."""
    try:
        from torchvision.ops.misc import SqueezeExcitation
    except ImportError:
        return ()
    return (SqueezeExcitation,)


_SQUEEZE_EXCITATION = _squeeze_excitation_types()
# (owner, attribute, replacement) for the functional forms of what a linearized path replaces.
_FUNCTIONAL_LINEARIZATION = [
    *((owner, name, _identity) for owner, names in (
        (F, ("relu", "relu_", "relu6", "leaky_relu", "leaky_relu_")),
        (torch, ("relu", "relu_")),
        (torch.Tensor, ("relu", "relu_"))) for name in names if hasattr(owner, name)),
    (F, "max_pool2d", _average_pool),
    (torch, "max_pool2d", _average_pool),
]


@contextlib.contextmanager
def functional_linearization(network):
    """F.relu(x), torch.relu(x), x.relu() and the like pass x on, and max_pool2d averages, until the block ends: calls
    in a network's own forward that no module hook can reach. The same functions bound to other names in the modules
    that define the network's classes (`from torch.nn.functional import relu`) are rebound too, since the forward
    looks those names up in its own module. Each attribute is put back as it was (an inherited Tensor method is
    deleted again rather than shadowed)."""
    saved = [(owner, name, owner.__dict__.get(name), name in owner.__dict__) for owner, name, _ in _FUNCTIONAL_LINEARIZATION]
    replacements = {id(getattr(owner, name)): (getattr(owner, name), replacement)
                    for owner, name, replacement in _FUNCTIONAL_LINEARIZATION}
    rebound = []
    for module in {sys.modules.get(type(m).__module__) for m in network.modules()} - {None, F, torch}:
        for name, value in list(vars(module).items()):
            original, replacement = replacements.get(id(value), (None, None))
            if original is value:
                rebound.append((module, name, value, replacement))
    try:
        for owner, name, replacement in _FUNCTIONAL_LINEARIZATION:
            setattr(owner, name, replacement)
        for module, name, _, replacement in rebound:
            setattr(module, name, replacement)
        yield
    finally:
        for module, name, value, _ in rebound:
            setattr(module, name, value)
        for owner, name, value, own in saved:
            if own:
                setattr(owner, name, value)
            else:
                delattr(owner, name)


class AtlasExport(nn.Module):
    """Returns the named modules' outputs, then the network's own output, as one tuple; atlas_upto_K methods stop early."""

    def __init__(self, network, names, with_final):
        super().__init__()
        # The network's own children, parameters and buffers are registered here under their own names, so the
        # archive's parameter paths are the network's ("conv1.weight", not "network.conv1.weight"): the atlas finds a
        # layer's weights under the module of the layer's name. The network itself is kept out of the module tree.
        for name, child in network.named_children():
            self.add_module(name, child)
        for name, parameter in network.named_parameters(recurse=False):
            self.register_parameter(name, parameter)
        for name, buffer in network.named_buffers(recurse=False):
            self.register_buffer(name, buffer)
        object.__setattr__(self, "network", network)
        self.names = names
        self.with_final = with_final
        self.captured = {}
        self.calls = {}
        # The names in the order the forward reaches them (the eager check records it), and where a run stops.
        self.order = []
        self.stop_after = None
        # A linearized run (atlas_linear_K): ReLUs pass their input on, max-pools average, and the source module's
        # output is replaced by the method's argument. Those hooks are registered first, so that a named module's own
        # hook sees its linearized output; outside such a run they change nothing.
        self.linear = False
        self.linear_source = None
        self.linear_substitute = None
        modules = dict(network.named_modules())
        for module in modules.values():
            self._linearize(module)
        for name in names:
            modules[name].register_forward_hook(self._hook(name))

    def _linearize(self, module):
        if isinstance(module, (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Hardswish)):
            kept = {}

            def before(_module, inputs):
                if not self.linear:
                    return None
                # An in-place ReLU overwrites its input: it gets a copy, and the original is passed on.
                kept["input"] = inputs[0]
                return (inputs[0].clone(),)

            def after(_module, _inputs, _output):
                return kept.pop("input") if self.linear else None
            module.register_forward_pre_hook(before)
            module.register_forward_hook(after)
        # An index-returning pool (for a MaxUnpool2d) is left as it is, as the functional one is: its hook would turn
        # the (values, indices) pair into one tensor and break the forward, and with it every linearized path.
        elif isinstance(module, nn.MaxPool2d) and module.dilation in (1, (1, 1)) and not module.return_indices:
            def average(pool, inputs, _output):
                if not self.linear:
                    return None
                return F.avg_pool2d(inputs[0], pool.kernel_size, pool.stride or pool.kernel_size, pool.padding,
                                    pool.ceil_mode, count_include_pad=False)
            module.register_forward_hook(average)
        # The gate (a factor in (0, 1) per channel, from the whole picture) makes the block non-linear; counting it as 1
        # is what counting a ReLU as the identity does to a rectifier, and what the zoo's MobileNetV3 does.
        elif isinstance(module, _SQUEEZE_EXCITATION):
            def ungated(_module, inputs, _output):
                return inputs[0] if self.linear else None
            module.register_forward_hook(ungated)

    def _hook(self, name):
        def keep(_module, _inputs, output):
            self.calls[name] = self.calls.get(name, 0) + 1
            if name not in self.order:
                self.order.append(name)
            self.captured[name] = output
            if name == self.stop_after:
                raise _StopForward()
            if self.linear and name == self.linear_source:
                return self.linear_substitute
            # The rest of the network goes on from a copy: an in-place ReLU after this module changes the copy, not
            # the returned output, and the logits are still computed from the output (Grad-CAM needs that path).
            return output.clone() if isinstance(output, torch.Tensor) else output
        return keep

    def forward(self, x):
        self.captured.clear()
        self.calls.clear()
        final = self.network(x)
        # A module that never ran has nothing captured: the eager check names it before anything is traced.
        outputs = [self.captured.get(name) for name in self.names]
        if self.with_final:
            outputs.append(final)
        return tuple(outputs)

    def stops(self):
        """(method name, module it ends after, positions in forward's result) for each module in forward order: the
        outputs captured by then."""
        result = []
        for k, name in enumerate(self.order):
            reached = set(self.order[:k + 1])
            result.append((f"atlas_upto_{k}", name, [p for p, n in enumerate(self.names) if n in reached]))
        return result

    def _run(self, pixels, stop_after):
        """Runs the network until module stop_after has run (None: to the end); returns its own output, None when stopped."""
        self.captured.clear()
        self.stop_after = stop_after
        try:
            return self.network(pixels)
        except _StopForward:
            return None
        finally:
            self.stop_after = None

    def add_linearized(self, method, source, target):
        """Adds method(pixels, substitute): target's output (None: the network's own) on the linearized network,
        with source's output replaced by substitute. The atlas's expanded weights (circuits) are its gradient."""
        def run(this, pixels, substitute):
            this.linear, this.linear_source, this.linear_substitute = True, source, substitute
            try:
                with functional_linearization(this.network):
                    final = this._run(pixels, target)
            finally:
                this.linear, this.linear_source, this.linear_substitute = False, None, None
            return final if target is None else this.captured[target]
        object.__setattr__(self, method, types.MethodType(run, self))

    def add_stop(self, method, last, positions):
        """Adds method(x): runs the network until module `last` has run and returns the outputs at `positions`."""
        def run(this, x):
            this._run(x, last)
            return tuple(this.captured[this.names[p]] for p in positions)
        object.__setattr__(self, method, types.MethodType(run, self))


def fold_batchnorms(network, wrapper, eager, example, returned, with_final):
    """The wrapper and eager outputs to export: a copy of the network with its batch norms folded into the convolutions
    before them, where that leaves every output as it was. A pair that would change them (an in-place operation on
    the convolution's output, another reader of it) is found by trying each alone, and stays unfolded."""
    def folded_by(pairs):
        folded = AtlasExport(batchnorm_folding.fold(network, pairs), wrapper.names, with_final).eval()
        outputs = folded(example)
        return (folded, outputs) if batchnorm_folding.same_outputs(eager, outputs) else None

    pairs = batchnorm_folding.conv_batchnorm_pairs(network, example, returned)
    result = folded_by(pairs) if pairs else None
    kept = []
    if pairs and result is None:
        kept = [pair for pair in pairs if folded_by([pair]) is None]
        pairs = [pair for pair in pairs if pair not in kept]
        result = folded_by(pairs) if pairs else None
        if result is None:
            kept, pairs = kept + pairs, []
    if kept:
        print(f"warning: kept {', '.join(norm for _, norm in kept)} as batch norm{'s' if len(kept) != 1 else ''}: folded into "
              "the convolution before, the network's outputs would change (an in-place operation, or another reader, "
              "between them)", file=sys.stderr)
    if result is None:
        return wrapper, eager
    print(f"folded {len(pairs)} batch norm{'s' if len(pairs) != 1 else ''} into the convolutions before them "
          "(--keep-batchnorm keeps them)", file=sys.stderr)
    return result


def verify(wrapper, loaded, layer_names, stops, linearized, channels, input_size):
    """Runs the archive beside the network on a second input, of another batch size: a forward that branches on the
    data, or fixes the batch size, is caught here rather than by the atlas."""
    check = torch.rand(3, channels, input_size, input_size)
    with torch.no_grad():
        try:
            expected = wrapper(check)
        except Exception as e:
            fail(f"the network fails on a batch of 3 images, having run on 2 (the atlas runs batches of any size; "
                 f"does its forward fix the batch size?): {describe(e)}")
        try:
            actual = loaded(check)
        except Exception as e:
            fail(f"the traced archive fails on a batch of 3 images, traced on 2 (does the forward fix a size?): {describe(e)}")
        for name, e, a in zip(layer_names, expected, actual):
            if not torch.allclose(e, a, rtol=1e-4, atol=1e-5):
                fail(f"the traced archive's '{name}' differs from the network's on a second input; its forward may branch on the data")
        for method, _, positions in stops:
            for p, a in zip(positions, getattr(loaded, method)(check)):
                if not torch.allclose(expected[p], a, rtol=1e-4, atol=1e-5):
                    fail(f"the archive's early stop {method} gives other values for '{layer_names[p]}' than its forward; export with --no-stops")
        for method, source, target in linearized:
            substitute = torch.rand_like(expected[source])
            if not torch.allclose(getattr(wrapper, method)(check[:1], substitute), getattr(loaded, method)(check[:1], substitute), rtol=1e-4, atol=1e-5):
                fail(f"the archive's linearized path {method} ('{layer_names[source]}' to '{layer_names[target]}') differs from the network's")


def warn_rectified(names, pre, layer_names, eager, modules):
    """Warns of a layer that looks like a ReLU's output and has no value before it: the atlas's ReLU gradient override
    needs that value, and without it a unit that is dead on a picture's starting noise gets no gradient and keeps a
    flat grey picture (an audit found 6 of 8 units of such a layer so)."""
    for name in names:
        value = eager[layer_names.index(name)]
        if name in pre or value.numel() == 0 or value.min() < 0 or not (value == 0).any():
            continue
        module = modules[name]
        children = list(module._modules) if isinstance(module, torch.nn.Sequential) else []
        hint = (f" (here probably {name}={name}.{children[-2]})"
                if len(children) > 1 and isinstance(module[-1], (torch.nn.ReLU, torch.nn.ReLU6)) else "")
        print(f"warning: --outputs: '{name}' has no value below 0 on random images, as after a ReLU: without the value "
              f"before it, units dead on a picture's starting noise get no gradient and keep a flat picture; name the "
              f"module that computes it with --pre-activations {name}=MODULE{hint}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="module:callable that returns the network, e.g. torchvision.models:resnet18")
    parser.add_argument("--kwargs", default="{}", help="JSON keyword arguments for the callable")
    parser.add_argument("--weights", help="state dict saved with torch.save")
    parser.add_argument("--weights-entry", help="the entry of a training checkpoint that holds the state dict (e.g. state_dict_ema)")
    parser.add_argument("--weights-prefix", help="the prefix the network's keys are saved under (e.g. ema.; '' for none)")
    parser.add_argument("--outputs", required=True, help="comma-separated module paths, in forward order")
    parser.add_argument("--input-size", type=int, required=True, help="side of the square input images")
    parser.add_argument("--channels", type=int, default=3, choices=(1, 3))
    parser.add_argument("--pre-activations", default="",
                        help="comma-separated LAYER=MODULE pairs: MODULE's output is LAYER's value before its ReLU "
                             "(for Lucid-style negative pictures and the ReLU gradient override), e.g. relu1=conv1")
    parser.add_argument("--final-name", default="logits", help="layer name of the network's own output (default logits)")
    parser.add_argument("--no-final", action="store_true", help="do not return the network's own output")
    parser.add_argument("--mean", help="comma-separated per-channel mean the network expects, for the printed config")
    parser.add_argument("--std", help="comma-separated per-channel std the network expects, for the printed config")
    parser.add_argument("--no-stops", action="store_true",
                        help="leave out the early-stop methods (every layer then runs the whole forward)")
    parser.add_argument("--keep-batchnorm", action="store_true",
                        help="do not fold batch norms into the convolutions before them (folded, each runs as one kernel)")
    parser.add_argument("--out", required=True, help="TorchScript file to write")
    args = parser.parse_args()

    # What the printed config carries into the atlas is checked against the atlas's own rules before anything runs.
    export_arguments.check_input_size(args.input_size)
    names = export_arguments.output_names(args.outputs)
    mean = export_arguments.normalization(args.mean, "--mean", args.channels)
    std = export_arguments.normalization(args.std, "--std", args.channels)
    if not args.no_final:
        export_arguments.check_layer_name(args.final_name, "--final-name")
    export_arguments.check_out(args.out)
    if args.weights == "":
        fail("--weights: is empty (leave it out to export the network with the weights its constructor gives it)")
    pre = {}
    for pair in (p.strip() for p in args.pre_activations.split(",") if p.strip()):
        layer, _, module = pair.partition("=")
        if not module or layer not in names:
            fail(f"--pre-activations: '{pair}' is not LAYER=MODULE with LAYER one of --outputs")
        if layer in pre:
            fail(f"--pre-activations: '{layer}' is given twice ({layer}={pre[layer]} and {pair})")
        pre[layer] = module

    network = build(args.model, keyword_arguments(args.kwargs))
    if args.weights is not None:
        load_weights(network, args.weights, args.weights_entry, args.weights_prefix)
    network.eval()
    modules = dict(network.named_modules())
    for name in names + [m for m in pre.values() if m not in names]:
        option = "--outputs" if name in names else "--pre-activations"
        if name not in modules or name == "":
            known = [n for n in modules if n][:40]
            fail(f"{option}: the network has no module '{name}' (it has: {', '.join(known)}{' …' if len(modules) > 41 else ''})")
        export_arguments.check_layer_name(name, option)
    # The modules whose outputs the forward returns: the layers, then the values before their ReLUs, then the logits.
    returned = names + [m for m in dict.fromkeys(pre.values()) if m not in names]
    layer_names = returned + ([] if args.no_final else [args.final_name])
    if len(set(layer_names)) != len(layer_names):
        fail(f"--outputs: a name is given twice in {', '.join(layer_names)}")
    if any(m in pre for m in pre.values()) or len(set(pre.values())) != len(pre):
        fail("--pre-activations: a module is the value before more than one layer, or is itself a layer with a value before it")

    wrapper = AtlasExport(network, returned, not args.no_final).eval()
    example = torch.rand(2, args.channels, args.input_size, args.input_size)
    with torch.no_grad():
        try:
            eager = wrapper(example)
        except Exception as e:
            fail(f"the network fails on {'×'.join(map(str, example.shape))} images (--input-size {args.input_size}, "
                 f"--channels {args.channels}): {describe(e)}")
        for name in returned:
            if name not in wrapper.calls:
                fail(f"--outputs: module '{name}' never runs in the network's forward, so it has no output to return")
        for name, count in wrapper.calls.items():
            if count > 1:
                fail(f"--outputs: module '{name}' runs {count} times per forward, so its output is ambiguous; name the block around it")
        for name, value in zip(layer_names, eager):
            if not isinstance(value, torch.Tensor) or value.dim() not in (2, 4):
                shape = "×".join(map(str, value.shape)) if isinstance(value, torch.Tensor) else type(value).__name__
                if name == args.final_name and not args.no_final and name not in returned:
                    fail(f"the network's own output gives {shape}, not N×C logits; pass --no-final and name the module "
                         "that computes the logits in --outputs")
                fail(f"--outputs: '{name}' gives {shape}; atlas layers are N×C×H×W or N×C tensors")
        for layer, module in pre.items():
            value, before = eager[layer_names.index(layer)], eager[layer_names.index(module)]
            if value.shape != before.shape:
                fail(f"--pre-activations: '{module}' gives {'×'.join(map(str, before.shape))} but layer '{layer}' "
                     f"{'×'.join(map(str, value.shape))}; the value before a layer's ReLU has the layer's shape")
        warn_rectified(names, pre, layer_names, eager, modules)
        if not args.no_final:
            for name, value in zip(returned, eager):
                if value.shape == eager[-1].shape and torch.equal(value, eager[-1]):
                    fail(f"--outputs: '{name}' gives the network's own output, which the archive returns as "
                         f"'{args.final_name}' already; leave it out and pass --final-name {name}, or pass --no-final")
        if not args.keep_batchnorm:
            try:
                wrapper, eager = fold_batchnorms(network, wrapper, eager, example, set(returned), not args.no_final)
            except Exception as e:  # folding works on a deep copy, which a network holding a lock or a generator refuses
                print(f"warning: kept the batch norms: folding them needs a copy of the network, and making one failed "
                      f"({describe(e)})", file=sys.stderr)
        stops = [] if args.no_stops else wrapper.stops()
        for method, last, positions in stops:
            wrapper.add_stop(method, last, positions)
        # One linearized path between each two consecutive atlas layers (the layers, then the network's own output),
        # where the first runs before the second: the atlas draws circuits between neighbours in that order.
        layers = names + ([] if args.no_final else [args.final_name])
        reached = {name: i for i, name in enumerate(wrapper.order)}
        pairs = [(a, b) for a, b in zip(layers, layers[1:]) if b == args.final_name and not args.no_final or reached[a] < reached[b]]
        linearized = [(f"atlas_linear_{i}", layer_names.index(a), layer_names.index(b)) for i, (a, b) in enumerate(pairs)]
        inputs = {"forward": example, **{m: example for m, _, _ in stops}}
        for method, source, target in linearized:
            wrapper.add_linearized(method, layer_names[source], None if target == len(returned) else layer_names[target])
            # One image of pixels and two of substitute, as the atlas calls it: what runs before the source is replaced.
            inputs[method] = (example[:1], torch.rand_like(eager[source]))
        try:
            traced = torch.jit.trace_module(wrapper, inputs, check_trace=False)
        except Exception as e:
            if not linearized:
                if not stops:
                    fail(f"tracing the network failed: {describe(e)}")
                fail(f"tracing the early stops failed ({' '.join(str(e).split())[:300]}); export with --no-stops")
            print(f"warning: tracing the linearized paths for circuits failed ({' '.join(str(e).split())[:300]}); "
                  "the archive has none, so its atlas will have no circuits", file=sys.stderr)
            linearized = []
            try:
                traced = torch.jit.trace_module(wrapper, {m: i for m, i in inputs.items() if not m.startswith("atlas_linear_")}, check_trace=False)
            except Exception as e2:
                if not stops:
                    fail(f"tracing the network failed: {describe(e2)}")
                fail(f"tracing the early stops failed ({' '.join(str(e2).split())[:300]}); export with --no-stops")
    metadata = {"stops": [{"method": m, "outputs": p} for m, _, p in stops],
                "linearized": [{"method": m, "from": a, "to": b} for m, a, b in linearized]}
    # The archive is made and checked in memory, and reaches --out only when it passed: a failed check, the disk
    # filling up or Ctrl+C leaves no archive there, nor a truncated one in place of an earlier one.
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer, _extra_files={"atlas.json": json.dumps(metadata)})
    archive = buffer.getvalue()
    verify(wrapper, torch.jit.load(io.BytesIO(archive)), layer_names, stops, linearized, args.channels, args.input_size)
    try:
        archive_file.write(args.out, archive)
    except OSError as e:
        fail(f"--out: cannot write '{args.out}' ({e.strerror or e})")

    # Absolute: a config reads a relative path from its own folder, which is seldom where the export ran.
    model = {"architecture": "torchscript", "checkpoint": os.path.abspath(args.out), "inputSize": args.input_size,
             "inputChannels": args.channels, "outputs": layer_names}
    if pre:
        model["preActivations"] = pre
    if mean is not None:
        model["mean"] = mean
    if std is not None:
        model["std"] = std
    print(json.dumps({"model": model}, indent=2))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        # Ctrl+C: nothing was written to --out (the archive goes there whole or not at all), so no traceback either.
        print("interrupted; nothing written", file=sys.stderr)
        sys.exit(130)
