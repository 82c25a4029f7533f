#!/usr/bin/env python3
"""The atlas workload in eager PyTorch, so the TorchSharp engine can be compared on a machine that
has PyTorch (the GPU machines do; this development machine does not).

Workloads (same numbers as `atlas bench`):
  featurevis  GoogLeNet at 128 px, the full recipe (Fourier parameterization with 1/f scaling and
              colour decorrelation, pad 12 / jitter 8 / scale / rotate / jitter 4 composed into one
              affine grid_sample per step), Adam lr 0.05, 512 steps; (a) one channel at a time,
              (b) BATCH channels per optimisation, forward stopped after the target layer.
  examples    images/s of a top-k pass over all atlas layers (max over positions, running top-k).

  python3 bench/pytorch_reference.py --device cuda --batch 1024 --steps 512 [--bf16] [--channels-last] [--fold]

Diagnostics (each optional, after the figures): --sweep 256,512,1024 prints pictures/s per batch size, so
one can see whether bigger optimisations pay; --profile N prints the CUDA kernels of N batched steps by
time, which says where a step goes (convolutions, copies, pooling, the image's parameterization).
"""
import argparse, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

LAYERS = ["conv1", "conv2", "conv3", "inception3a", "inception3b", "inception4a", "inception4b",
          "inception4c", "inception4d", "inception4e", "inception5a", "inception5b"]
DECORRELATION = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])


BF16 = False  # --bf16: autocast the network to bfloat16 (the optimiser and image stay float32)


def capture(model, layer):
    """A forward hook that keeps the layer's output: the dataset pass reads every atlas layer."""
    store = {}
    module = dict(model.named_modules())[layer]

    def hook(_, __, output):
        store["out"] = output
    return store, module.register_forward_hook(hook)


def truncated(model, layer):
    """The network up to and including `layer`: the forward pass stops there, like the engine's."""
    children = []
    for name, child in model.named_children():
        children.append(child)
        if name == layer:
            return nn.Sequential(*children)
    raise ValueError(f"no layer {layer}")


def fold_batch_norms(model):
    """Every BasicConv2d's batch norm folded into its convolution, as the engine's working copies are."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    folded = 0
    for module in model.modules():
        if hasattr(module, "conv") and isinstance(getattr(module, "bn", None), nn.BatchNorm2d):
            module.conv = fuse_conv_bn_eval(module.conv, module.bn)
            module.bn = nn.Identity()
            folded += 1
    return folded


class UnfoldedConv(nn.Module):
    """A convolution as one matrix product over unfolded patches: the engine's fifth-session form, removed as slower (bench/RESULTS.md); kept to compare."""

    def __init__(self, conv):
        super().__init__()
        self.weight = nn.Parameter(conv.weight.detach().reshape(conv.out_channels, -1).clone(), requires_grad=False)
        self.bias = None if conv.bias is None else nn.Parameter(conv.bias.detach().clone(), requires_grad=False)
        self.kernel, self.stride, self.padding, self.dilation = conv.kernel_size, conv.stride, conv.padding, conv.dilation

    def forward(self, x):
        n, _, h, w = x.shape
        out_h = (h + 2 * self.padding[0] - self.dilation[0] * (self.kernel[0] - 1) - 1) // self.stride[0] + 1
        out_w = (w + 2 * self.padding[1] - self.dilation[1] * (self.kernel[1] - 1) - 1) // self.stride[1] + 1
        columns = F.unfold(x, self.kernel, self.dilation, self.padding, self.stride)
        out = torch.matmul(self.weight.to(columns.dtype), columns)
        if self.bias is not None:
            out = out + self.bias.to(out.dtype).view(1, -1, 1)
        out = out.view(n, -1, out_h, out_w)
        return out.contiguous(memory_format=torch.channels_last) if CHANNELS_LAST else out


class SpaceToDepthConv(nn.Module):
    """A strided convolution as pixel_unshuffle by its stride, then a stride-1 convolution (bench/conv1_forms.py)."""

    def __init__(self, conv):
        super().__init__()
        from conv1_forms import space_to_depth_weight
        self.stride, self.padding, self.kernel = conv.stride[0], conv.padding[0], conv.kernel_size[0]
        self.channels = 4 if conv.in_channels == 3 else conv.in_channels
        weight = space_to_depth_weight(conv.weight.detach(), self.stride, self.channels)
        self.weight = nn.Parameter(weight.contiguous(memory_format=torch.channels_last) if CHANNELS_LAST else weight, requires_grad=False)
        self.bias = None if conv.bias is None else nn.Parameter(conv.bias.detach().clone(), requires_grad=False)

    def forward(self, x):
        from conv1_forms import space_to_depth_forward
        out = space_to_depth_forward(x, self.weight.to(x.dtype) if not torch.is_autocast_enabled() else self.weight, self.stride, self.padding, self.kernel, self.channels)
        return out if self.bias is None else out + self.bias.to(out.dtype).view(1, -1, 1, 1)


CHANNELS_LAST = False  # --channels-last: the unfolded convolution hands on NHWC, as cuDNN's would


def fourier_image(batch, size, device, generator):
    freqs_y = torch.fft.fftfreq(size, device=device)[:, None]
    freqs_x = torch.fft.rfftfreq(size, device=device)[None, :]
    scale = 1.0 / torch.maximum(torch.sqrt(freqs_y ** 2 + freqs_x ** 2), torch.tensor(1.0 / size, device=device))
    coefficients = (torch.randn(batch, 3, size, size // 2 + 1, 2, device=device, generator=generator) * 0.01).requires_grad_()

    def render():
        spectrum = torch.view_as_complex(coefficients) * scale
        image = torch.fft.irfft2(spectrum, s=(size, size), norm="ortho")
        matrix = DECORRELATION.to(device) / DECORRELATION.norm(dim=0).max()
        image = torch.einsum("bchw,dc->bdhw", image, matrix)
        return torch.sigmoid(image)
    return coefficients, render


def random_affine(batch, size, device, generator):
    unit = size / 224.0
    scales = torch.tensor([0.90 + 0.02 * i for i in range(11)], device=device)
    scale = scales[torch.randint(len(scales), (batch,), device=device, generator=generator)]
    angle = torch.randint(-10, 11, (batch,), device=device, generator=generator).float() * math.pi / 180
    shift = (torch.randint(-12, 13, (batch, 2), device=device, generator=generator).float() * unit) * 2 / size
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    return F.affine_grid(theta, (batch, 3, size, size), align_corners=False)


def featurevis(model, layer, channels, steps, size, device):
    generator = torch.Generator(device=device).manual_seed(0)
    coefficients, render = fourier_image(len(channels), size, device, generator)
    optimizer = torch.optim.Adam([coefficients], lr=0.05)
    network = truncated(model, layer)
    index = torch.tensor(channels, device=device)
    mean = torch.tensor([0.485, 0.456, 0.406], device=device).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], device=device).view(1, 3, 1, 1)
    for _ in range(steps):
        optimizer.zero_grad()
        image = F.grid_sample(render(), random_affine(len(channels), size, device, generator), padding_mode="border", align_corners=False)
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=BF16):
            activation = network((image - mean) / std)
        activation = activation.float()
        objective = activation.gather(1, index.view(-1, 1, 1, 1).expand(-1, 1, *activation.shape[2:])).mean(dim=(1, 2, 3))
        (-objective.sum()).backward()
        optimizer.step()


def examples(model, images, batch, size, device, k=9):
    stores = []
    for layer in LAYERS:
        store, _ = capture(model, layer)
        stores.append(store)
    best = None
    with torch.no_grad():
        for start in range(0, images, batch):
            x = torch.rand(min(batch, images - start), 3, size, size, device=device)
            model(x)
            maxima = torch.cat([s["out"].amax((2, 3)) for s in stores], 1)
            best = maxima if best is None else torch.cat([best, maxima], 0).topk(min(k, len(best) + len(maxima)), dim=0).values
    if device == "cuda":
        torch.cuda.synchronize()


def timed(fn, device):
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=512)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--layer", default="inception4a")
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--single", type=int, default=3, help="channels rendered one at a time for (a)")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--channels-last", action="store_true", help="convolution weights (and so activations) in NHWC, like the engine's default")
    parser.add_argument("--fold", action="store_true", help="fold batch norms into the convolutions, like the engine's working copies")
    parser.add_argument("--unfold-input", action="store_true", help="conv1 as one matrix product over unfolded patches (the removed fifth-session engine form)")
    parser.add_argument("--s2d-input", action="store_true", help="conv1 as space to depth and a stride-1 convolution (bench/conv1_forms.py)")
    parser.add_argument("--sweep", default="", help="comma-separated batch sizes: pictures/s of --sweep-steps batched steps each")
    parser.add_argument("--sweep-steps", type=int, default=64)
    parser.add_argument("--profile", type=int, default=0, help="profile this many batched steps and print the kernels by time")
    parser.add_argument("--skip-figures", action="store_true", help="only the diagnostics")
    args = parser.parse_args()
    global BF16, CHANNELS_LAST
    BF16 = args.bf16
    CHANNELS_LAST = args.channels_last
    model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True).to(args.device).eval()
    if args.fold:
        print(f"folded {fold_batch_norms(model)} batch norms")
    for p in model.parameters():
        p.requires_grad_(False)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    if args.unfold_input:
        model.conv1.conv = UnfoldedConv(model.conv1.conv)
    if args.s2d_input:
        model.conv1.conv = SpaceToDepthConv(model.conv1.conv)

    featurevis(model, args.layer, [0], 2, args.size, args.device)  # warm-up: kernel selection, allocations
    print(f"precision: {'bfloat16 autocast' if BF16 else 'float32'}, {'channels-last' if args.channels_last else 'contiguous'}, batch norms {'folded' if args.fold else 'kept'}"
          + (", conv1 unfolded" if args.unfold_input else "") + (", conv1 space to depth" if args.s2d_input else ""))
    if not args.skip_figures:
        figures(model, args)
    diagnostics(model, args)


def channel_list(count):
    return [c % 512 for c in range(count)]  # inception4a has 512 channels; a bigger batch repeats them


def diagnostics(model, args):
    for batch in [int(b) for b in args.sweep.split(",") if b]:
        try:
            featurevis(model, args.layer, channel_list(batch), 2, args.size, args.device)
            seconds = timed(lambda: featurevis(model, args.layer, channel_list(batch), args.sweep_steps, args.size, args.device), args.device)
            print(f"SWEEP batch {batch}: {batch * args.sweep_steps / seconds:.0f} picture-steps/s, "
                  f"{seconds / args.sweep_steps * 1000:.1f} ms/step, {batch / (seconds * args.steps / args.sweep_steps):.1f} channels/s at {args.steps} steps")
        except Exception as error:  # a batch too big for the device should not end the other diagnostics
            print(f"SWEEP batch {batch}: failed: {str(error).splitlines()[0]}")
            torch.cuda.empty_cache() if args.device == "cuda" else None
    if args.profile > 0:
        from torch.profiler import profile, ProfilerActivity
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if args.device == "cuda" else [])
        with profile(activities=activities, record_shapes=True) as prof:
            featurevis(model, args.layer, channel_list(args.batch), args.profile, args.size, args.device)
            if args.device == "cuda":
                torch.cuda.synchronize()
        events = prof.key_averages()
        for key in ("self_device_time_total", "self_cuda_time_total", "self_cpu_time_total"):
            try:
                print(events.table(sort_by=key, row_limit=40, max_name_column_width=110))
                # The same by input shape, convolutions only: which layer each convolution's time belongs to.
                by_shape = [e for e in prof.key_averages(group_by_input_shape=True) if "convolution" in e.key]
                by_shape.sort(key=lambda e: -getattr(e, key, 0))
                for e in by_shape[:12]:
                    print(f"CONV {e.key} {getattr(e, key, 0) / 1000 / args.profile:.3f} ms/step  shapes {str(e.input_shapes)[:150]}")
                break
            except Exception:
                continue


def figures(model, args):
    one = timed(lambda: [featurevis(model, args.layer, [c], args.steps, args.size, args.device) for c in range(args.single)], args.device) / args.single
    many = timed(lambda: featurevis(model, args.layer, list(range(args.batch)), args.steps, args.size, args.device), args.device)
    data = timed(lambda: examples(model, args.images, 256, 224, args.device), args.device)
    print(f"device {args.device} ({torch.cuda.get_device_name() if args.device == 'cuda' else 'cpu'}), torch {torch.__version__}")
    print(f"(a) one channel at a time: {1 / one:.3f} channels/s ({args.steps} steps, {args.size} px, {args.layer})")
    print(f"(b) batched {args.batch}:    {args.batch / many:.2f} channels/s   ratio (b)/(a) {(args.batch / many) / (1 / one):.1f}")
    print(f"dataset top-k pass over {len(LAYERS)} layers: {args.images / data:.0f} images/s")


if __name__ == "__main__":
    main()
