#version 330
uniform sampler2D u_tex;
uniform sampler2D u_mask;    // body mask in source pixels (0 outside people, 1 inside)
uniform bool u_use_mask;
uniform vec4 u_viewport;     // x, y, w, h of the source image in the framebuffer
uniform bool u_mirror;
uniform float u_body_margin; // soft margin around the body plane
in vec2 v_uv;
in vec4 v_color;
in float v_depth;
flat in vec2 v_occlusion;   // mode, body plane depth
out vec4 f_color;

float body_cover() {
    if (!u_use_mask || v_occlusion.x < 0.5) return 0.0;
    vec2 s = (gl_FragCoord.xy - u_viewport.xy) / u_viewport.zw;
    if (u_mirror) s.x = 1.0 - s.x;
    float m = smoothstep(0.2, 0.6, texture(u_mask, vec2(s.x, 1.0 - s.y)).r);
    if (v_occlusion.x > 1.5) return m;
    return m * smoothstep(v_occlusion.y - u_body_margin, v_occlusion.y + u_body_margin, v_depth);
}

void main() {
    vec4 c = texture(u_tex, v_uv) * v_color;
    c.a *= 1.0 - body_cover();
    if (c.a < 0.004) discard;
    f_color = c;
}
