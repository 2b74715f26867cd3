#version 330
// Instanced anti-aliased capsules in source pixels: skeleton bones (p0 != p1) and
// joints (p0 == p1, a disc).
uniform mat4 u_proj;
in vec2 in_corner;        // (t in {0,1}, side in {-1,1})
in vec4 in_seg;           // p0.xy, p1.xy in source pixels
in vec4 in_color;
in float in_width;
out vec2 v_px;
flat out vec4 f_seg;
flat out vec4 f_color;
flat out float f_radius;
void main() {
    vec2 p0 = in_seg.xy, p1 = in_seg.zw;
    vec2 d = p1 - p0;
    float len = length(d);
    vec2 dir = len > 1e-4 ? d / len : vec2(1.0, 0.0);
    vec2 nrm = vec2(-dir.y, dir.x);
    float r = in_width * 0.5 + 1.0;
    vec2 p = mix(p0, p1, in_corner.x) + dir * (in_corner.x * 2.0 - 1.0) * r + nrm * in_corner.y * r;
    v_px = p;
    f_seg = in_seg;
    f_color = in_color;
    f_radius = in_width * 0.5;
    gl_Position = u_proj * vec4(p, 0.0, 1.0);
}
