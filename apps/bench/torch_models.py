"""sprig's zoo models as PyTorch defines them (the papers' reference code), for the PyTorch twin of
the benchmarks (torch_twin.py) and the golden values (tests/golden/make_nn_golden.py).

MODELS maps a zoo name to (constructor, one example's input shape).
"""
from torch import nn
import torch.nn.functional as F


def lenet_300_100():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


class BasicBlock(nn.Module):
    """The CIFAR ResNet basic block with option B shortcuts, named as in the common PyTorch CIFAR ResNets."""

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


def features(plan, batchnorm):
    """3x3 convolutions (padding 1) with ReLU, BatchNorm (then no conv bias) or not; "M" is 2x2 max pooling."""
    layers, channels = [], 3
    for v in plan:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
            continue
        layers.append(nn.Conv2d(channels, v, 3, padding=1, bias=not batchnorm))
        layers += [nn.BatchNorm2d(v), nn.ReLU()] if batchnorm else [nn.ReLU()]
        channels = v
    return nn.Sequential(*layers), channels


def conv_n(n):
    """Frankle & Carbin 2019, Figure 2."""
    plan = [w for stage in range(n // 2) for w in (64 << stage, 64 << stage, "M")]
    body, channels = features(plan, False)
    side = 32 >> (n // 2)
    return nn.Sequential(body, nn.Flatten(), nn.Linear(channels * side * side, 256), nn.ReLU(), nn.Linear(256, 256),
                         nn.ReLU(), nn.Linear(256, 10))


VGG_PLANS = {  # network slimming's vgg.py
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512],
}


def vgg(depth):
    body, channels = features(VGG_PLANS[depth], True)
    return nn.Sequential(body, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


def resnet(depth):
    """He et al. 2016, section 4.2, with option B shortcuts."""
    n = (depth - 2) // 6
    layers, channels = [nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for stage, planes in enumerate((16, 32, 64)):
        for b in range(n):
            layers.append(BasicBlock(channels, planes, 2 if stage > 0 and b == 0 else 1))
            channels = planes
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


MNIST, CIFAR = (1, 28, 28), (3, 32, 32)
MODELS = {"lenet_300_100": (lenet_300_100, MNIST), "lenet5": (lenet5, MNIST)}
MODELS.update({f"conv{n}": (lambda n=n: conv_n(n), CIFAR) for n in (2, 4, 6)})
MODELS.update({f"vgg{d}": (lambda d=d: vgg(d), CIFAR) for d in (11, 13, 16, 19)})
MODELS.update({f"resnet{d}": (lambda d=d: resnet(d), CIFAR) for d in (20, 32, 44, 56, 110)})
