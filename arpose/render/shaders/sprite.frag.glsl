#version 330
uniform sampler2D u_tex;
uniform float u_body_margin; // soft margin around the body plane
in vec2 v_uv;
in vec4 v_color;
in float v_depth;
flat in vec2 v_occlusion;   // mode, body plane depth
out vec4 f_color;

#include "body_mask.glsl"

void main() {
    vec4 c = texture(u_tex, v_uv) * v_color;
    c.a *= 1.0 - body_cover(v_occlusion.x, v_occlusion.y, u_body_margin, v_depth);
    if (c.a < 0.004) discard;
    f_color = c;
}
