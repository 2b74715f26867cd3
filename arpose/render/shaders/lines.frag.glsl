#version 330
in vec2 v_px;
flat in vec4 f_seg;
flat in vec4 f_color;
flat in float f_radius;
out vec4 f_out;
void main() {
    vec2 a = f_seg.xy, b = f_seg.zw;
    vec2 ab = b - a;
    float t = clamp(dot(v_px - a, ab) / max(dot(ab, ab), 1e-6), 0.0, 1.0);
    float dist = length(v_px - (a + t * ab));
    float cover = clamp(f_radius - dist + 0.5, 0.0, 1.0);
    if (cover <= 0.0) discard;
    f_out = vec4(f_color.rgb, f_color.a * cover);
}
