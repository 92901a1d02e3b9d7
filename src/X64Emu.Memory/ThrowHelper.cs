using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace X64Emu.Memory;

/// <summary>Throws kept out of line so that inlined callers stay small (as in System.IO.Pipelines).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw CreateInvalidOperation(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException CreateInvalidOperation(string message) => new(message);
}
