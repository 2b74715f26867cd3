// The mesh pass's fragment shader (mesh.frag.glsl) with the lighting done per vertex by
// skinned.vert: an avatar covers many pixels, and software GL pays per pixel.
#version 330
uniform sampler2D u_tex;
uniform bool u_use_texture;
uniform vec4 u_color;
uniform bool u_lit;
uniform float u_occlusion;   // 0 none, 1 depth, 2 always
uniform vec2 u_body_depth;
in vec3 v_world;
in vec2 v_light;
in vec2 v_uv;
in vec4 v_color;
out vec4 f_color;

#include "body_mask.glsl"

void main() {
    vec4 base = u_color * v_color;
    if (u_use_texture) base *= texture(u_tex, v_uv);
    vec3 rgb = base.rgb;
    if (u_lit) rgb = rgb * (0.42 + 0.68 * v_light.x) + vec3(v_light.y);  // lit per vertex
    float a = base.a * (1.0 - body_cover(u_occlusion, u_body_depth.x, u_body_depth.y, v_world.z));
    if (a < 0.004) discard;
    f_color = vec4(rgb, a);
}
