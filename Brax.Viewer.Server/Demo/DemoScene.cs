using System.Buffers;
using System.Text.Json;

namespace Brax.Viewer.Server.Demo;

/// <summary>
/// The built-in demo: a cart-pole on a rail, a bouncing ball and a spinning top over an infinite
/// checkerboard, with its motion as a function of time. It touches every common geom type so a
/// newcomer sees what the page draws.
/// </summary>
internal static class DemoScene
{
    /// <summary>Number of links; every frame carries this many poses.</summary>
    public const int Links = 4;

    // The top comes first: pages follow the first body by default, and the top stays in place,
    // so the camera holds still while everything else moves.
    private const int Top = 0;
    private const int Cart = 1;
    private const int Pole = 2;
    private const int Ball = 3;

    private const double RailHeight = 0.5;
    private static readonly double[] Identity = [1, 0, 0, 0];

    /// <summary>The system JSON, laid out as <c>brax.io.json.dumps(sys, [state])</c> writes it.</summary>
    public static byte[] SystemJson()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("opt");
            w.WriteNumber("timestep", 1.0 / 60);
            w.WriteString("name", "Option");
            w.WriteEndObject();
            w.WriteStartArray("link_names");
            foreach (var name in (string[])["top", "cart", "pole", "ball"])
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteString("name", "System");
            w.WriteStartObject("geoms");

            w.WriteStartArray("world");
            Geom(w, "Plane", -1, [0, 0, 0], Identity, [0.4, 0.33, 0.26, 1], [0, 0, 0.05]);
            // The rail: a capsule turned so its axis (+z) lies along x.
            Geom(w, "Capsule", -1, [0, 0, RailHeight], [Math.Sqrt(0.5), 0, Math.Sqrt(0.5), 0], [0.9, 0.9, 0.9, 1], [0.02, 1.5, 0]);
            Geom(w, "Cylinder", -1, [0, -1.4, 0.025], Identity, [0.35, 0.35, 0.4, 1], [0.45, 0.025, 0]);
            w.WriteEndArray();

            w.WriteStartArray("top");
            Geom(w, "Cylinder", Top, [0, 0, 0], Identity, [0.2, 0.7, 0.4, 1], [0.25, 0.05, 0]);
            Geom(w, "Box", Top, [0.2, 0, 0.08], Identity, [0.95, 0.85, 0.3, 1], [0.12, 0.03, 0.03]);
            w.WriteEndArray();

            w.WriteStartArray("cart");
            Geom(w, "Box", Cart, [0, 0, 0], Identity, [0.2, 0.4, 0.8, 1], [0.2, 0.1, 0.05]);
            w.WriteEndArray();

            w.WriteStartArray("pole");
            Geom(w, "Capsule", Pole, [0, 0, 0.3], Identity, [0.9, 0.6, 0.2, 1], [0.045, 0.3, 0]);
            w.WriteEndArray();

            w.WriteStartArray("ball");
            Geom(w, "Sphere", Ball, [0, 0, 0], Identity, [0.85, 0.2, 0.25, 1], [0.15, 0, 0]);
            w.WriteEndArray();

            w.WriteEndObject();

            w.WriteStartObject("states");
            w.WriteStartArray("x");
            w.WriteStartObject();
            WritePoses(w, 0);
            w.WriteString("name", "Transform");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <c>"pos"</c> and <c>"rot"</c> of every link at <paramref name="t"/> seconds into the current object.</summary>
    public static void WritePoses(Utf8JsonWriter w, double t)
    {
        Span<double> pos = stackalloc double[Links * 3];
        Span<double> rot = stackalloc double[Links * 4];
        Poses(t, pos, rot);

        w.WriteStartArray("pos");
        for (var i = 0; i < Links; i++)
        {
            Triple(w, pos.Slice(i * 3, 3));
        }

        w.WriteEndArray();
        w.WriteStartArray("rot");
        for (var i = 0; i < Links; i++)
        {
            w.WriteStartArray();
            foreach (var v in rot.Slice(i * 4, 4))
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>Link poses at <paramref name="t"/>: smooth, periodic kinematics (no physics), quaternions [w, x, y, z].</summary>
    public static void Poses(double t, Span<double> pos, Span<double> rot)
    {
        // Cart slides along the rail; the pole is hinged on it and swings about y.
        var cartX = 1.0 * Math.Sin(0.8 * t);
        Set(pos, Cart, cartX, 0, RailHeight);
        SetQ(rot, Cart, 1, 0, 0, 0);
        var swing = 0.6 * Math.Sin(1.6 * t + 0.5);
        Set(pos, Pole, cartX, 0, RailHeight);
        SetQ(rot, Pole, Math.Cos(swing / 2), 0, Math.Sin(swing / 2), 0);

        // Ball bounces (|sin| makes the floor contact) and rolls about x.
        Set(pos, Ball, 0, 1.2, 0.15 + 0.9 * Math.Abs(Math.Sin(2.2 * t)));
        var roll = 1.5 * t;
        SetQ(rot, Ball, Math.Cos(roll / 2), Math.Sin(roll / 2), 0, 0);

        // Top spins fast about its tilted axis while the tilt precesses slowly.
        var spin = 4.0 * t;
        var precession = 0.7 * t;
        const double Tilt = 0.25;
        var (pw, px, py, pz) = Multiply(
            Multiply((Math.Cos(precession / 2), 0, 0, Math.Sin(precession / 2)), (Math.Cos(Tilt / 2), Math.Sin(Tilt / 2), 0, 0)),
            (Math.Cos(spin / 2), 0, 0, Math.Sin(spin / 2)));
        Set(pos, Top, 0, -1.4, 0.35);
        SetQ(rot, Top, pw, px, py, pz);
    }

    private static (double W, double X, double Y, double Z) Multiply((double W, double X, double Y, double Z) a, (double W, double X, double Y, double Z) b) => (
        (a.W * b.W) - (a.X * b.X) - (a.Y * b.Y) - (a.Z * b.Z),
        (a.W * b.X) + (a.X * b.W) + (a.Y * b.Z) - (a.Z * b.Y),
        (a.W * b.Y) - (a.X * b.Z) + (a.Y * b.W) + (a.Z * b.X),
        (a.W * b.Z) + (a.X * b.Y) - (a.Y * b.X) + (a.Z * b.W));

    private static void Set(Span<double> pos, int link, double x, double y, double z)
    {
        pos[link * 3] = x;
        pos[(link * 3) + 1] = y;
        pos[(link * 3) + 2] = z;
    }

    private static void SetQ(Span<double> rot, int link, double w, double x, double y, double z)
    {
        rot[link * 4] = w;
        rot[(link * 4) + 1] = x;
        rot[(link * 4) + 2] = y;
        rot[(link * 4) + 3] = z;
    }

    private static void Triple(Utf8JsonWriter w, ReadOnlySpan<double> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void Geom(Utf8JsonWriter w, string type, int link, double[] pos, double[] rot, double[] rgba, double[] size)
    {
        w.WriteStartObject();
        w.WriteString("name", type);
        w.WriteNumber("link_idx", link);
        w.WritePropertyName("pos");
        Triple(w, pos);
        w.WritePropertyName("rot");
        Triple(w, rot);
        w.WritePropertyName("rgba");
        Triple(w, rgba);
        w.WritePropertyName("size");
        Triple(w, size);
        w.WriteEndObject();
    }
}
