#version 330
uniform sampler2D u_tex;
uniform bool u_use_texture;
uniform vec4 u_color;
uniform bool u_lit;
uniform vec3 u_light_dir;    // direction the light travels, world space (y down, z away)
uniform float u_occlusion;   // 0 none, 1 depth, 2 always
uniform vec2 u_body_depth;
in vec3 v_world;
in vec3 v_normal;
in vec2 v_uv;
in vec4 v_color;
out vec4 f_color;

#include "body_mask.glsl"

void main() {
    vec4 base = u_color * v_color;
    if (u_use_texture) base *= texture(u_tex, v_uv);
    vec3 rgb = base.rgb;
    if (u_lit) {
        vec3 n = normalize(v_normal);
        vec3 view = normalize(-v_world);        // camera at the origin
        if (dot(n, view) < 0.0) n = -n;         // two-sided: no culling, any winding
        vec3 l = normalize(-u_light_dir);
        float diffuse = max(dot(n, l), 0.0);
        vec3 h = normalize(l + view);
        float spec = pow(max(dot(n, h), 0.0), 32.0) * 0.25;
        rgb = rgb * (0.42 + 0.68 * diffuse) + vec3(spec);
    }
    float a = base.a * (1.0 - body_cover(u_occlusion, u_body_depth.x, u_body_depth.y, v_world.z));
    if (a < 0.004) discard;
    f_color = vec4(rgb, a);
}
