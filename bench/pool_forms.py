"""Times GoogLeNet's max pools as the engine runs them, at batch 512, in NHWC (the channels-last network) and
NCHW: the forward with indices (rendering: the scatter backward reads them) at 128 px, and the forward alone
(the dataset pass) at 224 px. The sixth session's kernel profile had libtorch's NHWC max-pool forward at about
1.5 ms of a 16.8 ms bfloat16 rendering step; this says which pools cost it and whether NCHW is faster, with and
without the two layout conversions it would need. Usage: python3 pool_forms.py [--batch 512] [--dtype bfloat16]
"""
import argparse

import torch
import torch.nn.functional as F

# (name, channels, side at 224 px input, kernel, stride, padding): TorchVision's GoogLeNet, all ceil_mode=True.
POOLS = [
    ("maxpool1", 64, 112, 3, 2, 0), ("maxpool2", 192, 56, 3, 2, 0), ("inception3a.branch4", 192, 28, 3, 1, 1),
    ("inception3b.branch4", 256, 28, 3, 1, 1), ("maxpool3", 480, 28, 3, 2, 0), ("inception4a.branch4", 480, 14, 3, 1, 1),
]


def timed(fn, repeats):
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeats):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / repeats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype)
    for size, indices in ((128, True), (224, False)):
        totals = {"NHWC": 0.0, "NCHW": 0.0, "NHWC→NCHW→NHWC": 0.0}
        for name, channels, side224, k, s, p in POOLS:
            side = side224 * size // 224
            x = torch.randn(args.batch, channels, side, side, device="cuda", dtype=dtype)
            nhwc = x.contiguous(memory_format=torch.channels_last)
            pool = (lambda t: F.max_pool2d_with_indices(t, k, s, p, ceil_mode=True)) if indices else (lambda t: F.max_pool2d(t, k, s, p, ceil_mode=True))
            forms = {
                "NHWC": lambda: pool(nhwc),
                "NCHW": lambda: pool(x),
                "NHWC→NCHW→NHWC": lambda: (lambda y: (y[0] if indices else y).contiguous(memory_format=torch.channels_last))(pool(nhwc.contiguous())),
            }
            reference = F.max_pool2d(x, k, s, p, ceil_mode=True)
            for form, fn in forms.items():
                out = fn()
                assert torch.equal((out[0] if isinstance(out, tuple) else out).float(), reference.float()), (name, form)
                ms = timed(fn, args.repeats)
                totals[form] += ms
                print(f"POOL {size}px {'with indices' if indices else 'values only '} {name:20} {form:16} {ms:7.3f} ms", flush=True)
        for form, ms in totals.items():
            print(f"POOL {size}px {'with indices' if indices else 'values only '} {'all six':20} {form:16} {ms:7.3f} ms", flush=True)


if __name__ == "__main__":
    main()
