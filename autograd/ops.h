#pragma once
// Every differentiable op, for code that uses many of them.
#include "autograd/arithmetic.h"
#include "autograd/batchnorm.h"
#include "autograd/conv.h"
#include "autograd/loss.h"
#include "autograd/matmul.h"
#include "autograd/pool.h"
#include "autograd/reduce.h"
#include "autograd/shape.h"
#include "autograd/unary.h"
#include "autograd/variable.h"
