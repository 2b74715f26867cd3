// How much of a fragment the people in front cover (0 nothing, 1 all): the body mask read at
// this pixel, softened, and for mode 1 ("depth") only where the fragment lies behind the body
// plane. Included by the mesh, skinned and sprite fragment shaders (resources.load_shader).
uniform sampler2D u_mask;    // body mask in source pixels (0 outside people, 1 inside)
uniform bool u_use_mask;
uniform vec4 u_viewport;     // x, y, w, h of the source image in the framebuffer
uniform bool u_mirror;

float body_cover(float mode, float plane, float margin, float depth) {
    if (!u_use_mask || mode < 0.5) return 0.0;   // mode: 0 none, 1 depth, 2 always
    vec2 s = (gl_FragCoord.xy - u_viewport.xy) / u_viewport.zw;
    if (u_mirror) s.x = 1.0 - s.x;
    float m = smoothstep(0.2, 0.6, texture(u_mask, vec2(s.x, 1.0 - s.y)).r);
    if (mode > 1.5) return m;
    return m * smoothstep(plane - margin, plane + margin, depth);
}
