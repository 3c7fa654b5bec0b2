using System.Buffers.Binary;
using Brax.Viewer.Hubs.RawShim;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>The announced size of each message, read from the frame headers a client sends, however the bytes are cut.</summary>
public sealed class InboundFrameHeadersTests
{
    private const byte Text = 0x1;
    private const byte Binary = 0x2;
    private const byte Continuation = 0x0;
    private const byte Ping = 0x9;
    private const byte Pong = 0xA;
    private const long PingPayload = 0x0123_4567_89AB_CDEF;

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(3_000_000)]
    public void An_unfragmented_message_is_announced_whole_by_its_header_before_its_payload(int length)
    {
        var headers = new InboundFrameHeaders();

        headers.Observe(Header(Text, fin: true, length));

        headers.AnnouncedBytes(1).Should().Be(length, "the header alone gives the message's size");
    }

    [Fact]
    public void A_64_bit_length_past_long_MaxValue_reads_as_the_largest_size()
    {
        var headers = new InboundFrameHeaders();
        byte[] header = [0x81, 0x80 | 127, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];

        headers.Observe(header);

        headers.AnnouncedBytes(1).Should().Be(long.MaxValue);
    }

    [Fact]
    public void Fragments_add_up_and_control_frames_between_them_count_for_nothing()
    {
        var headers = new InboundFrameHeaders();

        headers.Observe([.. Frame(Text, fin: false, 1000), .. Frame(Ping, fin: true, 4), .. Frame(Continuation, fin: false, 2000)]);
        headers.AnnouncedBytes(1).Should().Be(3000);

        headers.Observe(Frame(Continuation, fin: true, 500));
        headers.AnnouncedBytes(1).Should().Be(3500);
    }

    [Fact]
    public void Headers_read_ahead_are_kept_apart_by_message()
    {
        var headers = new InboundFrameHeaders();

        // One read holding a small message, a binary one and the header of a large third one.
        headers.Observe([.. Frame(Text, fin: true, 10), .. Frame(Binary, fin: true, 3), .. Header(Text, fin: true, 20_000_000)]);

        headers.AnnouncedBytes(1).Should().Be(10);
        headers.AnnouncedBytes(2).Should().Be(3);
        headers.AnnouncedBytes(3).Should().Be(20_000_000);
        headers.AnnouncedBytes(4).Should().Be(0, "no header of a fourth message has been seen");
    }

    [Fact]
    public void Bytes_cut_anywhere_give_the_same_announcements()
    {
        byte[] stream = [.. Frame(Text, fin: false, 300), .. Frame(Ping, fin: true, 0), .. Frame(Continuation, fin: true, 70_000), .. Frame(Text, fin: true, 5)];
        foreach (var cut in new[] { 1, 2, 3, 7, 13, 4096 })
        {
            var headers = new InboundFrameHeaders();
            for (var offset = 0; offset < stream.Length; offset += cut)
            {
                headers.Observe(stream.AsSpan(offset, Math.Min(cut, stream.Length - offset)));
            }

            headers.AnnouncedBytes(1).Should().Be(70_300, "reads of {0} bytes", cut);
            headers.AnnouncedBytes(2).Should().Be(5, "reads of {0} bytes", cut);
        }
    }

    [Fact]
    public void Control_frames_begin_no_message()
    {
        var headers = new InboundFrameHeaders();

        headers.Observe([.. Frame(Ping, fin: true, 4), .. Frame(Ping, fin: true, 0)]);

        headers.AnnouncedBytes(1).Should().Be(0);
    }

    [Fact]
    public void A_pong_echoing_the_pings_payload_is_seen_however_the_bytes_are_cut()
    {
        byte[] stream = [.. Frame(Text, fin: true, 300), .. PongFrame(PingPayload), .. Frame(Text, fin: true, 5)];
        foreach (var cut in new[] { 1, 2, 3, 7, 4096 })
        {
            var headers = new InboundFrameHeaders();
            headers.ExpectPong(PingPayload);
            for (var offset = 0; offset < stream.Length; offset += cut)
            {
                headers.Observe(stream.AsSpan(offset, Math.Min(cut, stream.Length - offset)));
            }

            headers.PongArrived.Should().BeTrue("reads of {0} bytes", cut);
            headers.AnnouncedBytes(2).Should().Be(5, "the pong's payload is skipped like any other");
        }
    }

    [Fact]
    public void Only_a_pong_with_the_awaited_payload_answers_the_ping()
    {
        var headers = new InboundFrameHeaders();

        // An unsolicited pong before the ping, and after it pongs of another payload, length or opcode.
        headers.Observe(PongFrame(PingPayload));
        headers.ExpectPong(PingPayload);
        headers.Observe([.. PongFrame(PingPayload + 1), .. Frame(Pong, fin: true, 0), .. Frame(Pong, fin: true, 9), .. MaskedFrame(Ping, PingPayload)]);
        headers.PongArrived.Should().BeFalse();

        headers.Observe(PongFrame(PingPayload));
        headers.PongArrived.Should().BeTrue();
    }

    /// <summary>A masked client frame header announcing <paramref name="length"/> payload bytes.</summary>
    private static byte[] Header(byte opcode, bool fin, long length)
    {
        var first = (byte)((fin ? 0x80 : 0) | opcode);
        if (length < 126)
        {
            return [first, (byte)(0x80 | length), 1, 2, 3, 4];
        }

        if (length <= ushort.MaxValue)
        {
            var header = new byte[8];
            header[0] = first;
            header[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)length);
            return header;
        }

        var large = new byte[14];
        large[0] = first;
        large[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(large.AsSpan(2), (ulong)length);
        return large;
    }

    private static byte[] Frame(byte opcode, bool fin, int length) => [.. Header(opcode, fin, length), .. new byte[length]];

    private static byte[] PongFrame(long payload) => MaskedFrame(Pong, payload);

    // A control frame with 8 bytes of payload, masked as a client must (RFC 6455 §5.3) with the key Header uses.
    private static byte[] MaskedFrame(byte opcode, long payload)
    {
        var frame = Frame(opcode, fin: true, sizeof(long));
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(6), payload);
        for (var i = 0; i < sizeof(long); i++)
        {
            frame[6 + i] ^= frame[2 + (i % 4)];
        }

        return frame;
    }
}
